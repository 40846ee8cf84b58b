from django.urls import path

from deesc_lms.progress import views

app_name = "progress"
urlpatterns = [
    path("", views.overview, name="overview"),
    path("agents/<int:agent_id>/", views.agent_page, name="agent"),
    path("agents/<int:agent_id>/report.pdf", views.agent_pdf, name="agent-pdf"),
]
