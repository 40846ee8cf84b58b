from django.apps import AppConfig


class CallsConfig(AppConfig):
    name = "deesc_lms.calls"
    label = "calls"
    verbose_name = "Calls and escalation analysis"
