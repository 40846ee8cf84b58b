from django.urls import path

from deesc_lms.lti import views

app_name = "lti"
urlpatterns = [
    path("login", views.oidc_login, name="login"),
    path("launch", views.launch, name="launch"),
    path("deep-link", views.deep_link_return, name="deep-link"),
    path("jwks", views.tool_jwks, name="jwks"),
    path("config", views.tool_configuration, name="config"),
]
