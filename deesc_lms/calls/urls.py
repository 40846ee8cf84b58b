"""Browser pages of the calls app (the pattern map for QA managers)."""

from django.urls import path

from deesc_lms.calls import views

app_name = "calls"

urlpatterns = [
    path("patterns/", views.pattern_map, name="pattern-map"),
    path("<int:pk>/analysis/", views.call_detail, name="call-analysis"),
]
