from django.conf import settings
from django.contrib import admin
from django.urls import include, path
from django.views.static import serve
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerView

from deesc_lms import views

urlpatterns = [
    path("", views.home, name="home"),
    path("healthz", views.healthz, name="healthz"),
    path("admin/", admin.site.urls),
    path("api/schema/", SpectacularAPIView.as_view(), name="api-schema"),
    path("api/docs/", SpectacularSwaggerView.as_view(url_name="api-schema"), name="api-docs"),
    path("api/", include("deesc_lms.api_urls")),
    path("calls/", include("deesc_lms.calls.urls")),
    path("modules/", include("scenarios.urls")),
    path("lti/", include("deesc_lms.lti.urls")),
    path("progress/", include("deesc_lms.progress.urls")),
]

if settings.DEBUG or not settings.PRODUCTION:
    # Local media for the embedded default; production serves it from object storage.
    urlpatterns += [path("media/<path:path>", serve, {"document_root": settings.MEDIA_ROOT})]
