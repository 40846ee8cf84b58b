# deesc: `make demo` sets everything up and serves the demo; `make test` runs the whole suite.
# Both are idempotent: a second run only does what changed.

PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
PY := $(VENV)/bin/python
PIP := $(VENV)/bin/pip
STAMP := $(VENV)/.installed-stamp
DEB_STAMP := var/.debian-stamp
NPM_STAMP := node_modules/.installed-stamp
HOST ?= 127.0.0.1
PORT ?= 8000
# The CPU build of torch on this machine's disk, when there is one.
FIND_LINKS := $(if $(wildcard /opt/wheels),--find-links /opt/wheels,)

DEBIAN_PACKAGES := ffmpeg espeak-ng sox libsox-fmt-all libpango-1.0-0 libpangoft2-1.0-0 fonts-dejavu-core \
	chromium chromium-driver poppler-utils nodejs npm

.PHONY: demo test lint bootstrap migrate clean bench api-fuzz

bootstrap: $(STAMP) $(DEB_STAMP) $(NPM_STAMP)

$(STAMP): pyproject.toml
	@test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PIP) install -q --upgrade pip
	$(PIP) install -q $(FIND_LINKS) -e '.[dev]'
	@touch $@

# Debian packages: installed only when a command or library is missing.
$(DEB_STAMP): Makefile
	@mkdir -p var
	@missing=""; \
	for c in ffmpeg espeak-ng sox chromium chromedriver pdftoppm node npm; do command -v $$c >/dev/null 2>&1 || missing="$$missing $$c"; done; \
	ldconfig -p | grep -q libpango-1.0 || missing="$$missing libpango"; \
	if [ -n "$$missing" ]; then \
		echo "Installing Debian packages (missing:$$missing)"; \
		SUDO=$$( [ "$$(id -u)" = 0 ] || echo sudo ); \
		$$SUDO apt-get update -qq && DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -qq --no-install-recommends $(DEBIAN_PACKAGES) >/dev/null; \
	fi
	@touch $@

$(NPM_STAMP): package.json package-lock.json $(DEB_STAMP)
	npm ci --no-audit --no-fund --loglevel=error
	@touch $@

migrate: bootstrap
	$(PY) manage.py migrate --noinput -v 0
	$(PY) manage.py prepare_asr_models

demo: migrate
	$(PY) manage.py collectstatic --noinput -v 0
	$(PY) manage.py demo
	$(PY) manage.py runserver $(HOST):$(PORT)

test: bootstrap
	$(PY) -m pytest $(PYTEST_ARGS)

lint: bootstrap
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	$(VENV)/bin/mypy

bench: bootstrap
	$(PY) -m bench all

clean:
	rm -rf var/media var/static var/deesc.sqlite3* .pytest_cache

# Property-based requests against the OpenAPI schema: no response may be a server error.
api-fuzz: bootstrap
	bash .ci/api-fuzz
