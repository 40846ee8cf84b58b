from django.apps import AppConfig


class PackagingConfig(AppConfig):
    name = "deesc_lms.packaging"
    label = "packaging"
    verbose_name = "SCORM packages"
