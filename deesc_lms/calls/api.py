from django.urls import include, path

urlpatterns = [
    path("", include("deesc_lms.calls.api_ingest")),
    path("", include("deesc_lms.calls.api_analysis")),
]
