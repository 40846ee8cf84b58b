"""Every app's API under /api/; each app owns its own `api.py` with a `urlpatterns` list."""

from django.urls import include, path

urlpatterns = [
    path("", include("deesc_lms.calls.api")),
    path("", include("scenarios.api")),
    path("", include("rubrics.api")),
    path("", include("deesc_lms.packaging.api")),
    path("", include("deesc_lms.progress.api")),
]
