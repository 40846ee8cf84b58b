"""Browser pages of the calls app (the pattern map for QA managers)."""

from django.urls import URLPattern

urlpatterns: list[URLPattern] = []
