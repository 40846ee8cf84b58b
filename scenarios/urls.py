from django.urls import path

from scenarios import views

app_name = "scenarios"
urlpatterns = [
    path("<slug:slug>/", views.module_page, name="module"),
    path("<slug:slug>/drills/<int:order>/", views.drill_page, name="drill"),
]
