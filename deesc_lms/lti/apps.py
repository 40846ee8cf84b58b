from django.apps import AppConfig


class LtiConfig(AppConfig):
    name = "deesc_lms.lti"
    label = "lti"
    verbose_name = "LTI 1.3 and gradebook delivery"
