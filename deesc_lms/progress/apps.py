from django.apps import AppConfig


class ProgressConfig(AppConfig):
    name = "deesc_lms.progress"
    label = "progress"
    verbose_name = "Agent progress"
