from django.apps import AppConfig


class LtiConfig(AppConfig):
    name = "deesc_lms.lti"
    label = "lti"
    verbose_name = "LTI 1.3 and gradebook delivery"

    def ready(self) -> None:
        from deesc_lms.lti.services import on_grade_recorded
        from rubrics.signals import grade_recorded

        grade_recorded.connect(on_grade_recorded, dispatch_uid="lti.queue_grade_delivery")
