from django.apps import AppConfig


class RubricsConfig(AppConfig):
    name = "rubrics"
    verbose_name = "Rubrics and grading"

    def ready(self) -> None:
        from rubrics.tasks import enqueue_attempt_grading
        from scenarios.signals import attempt_submitted

        attempt_submitted.connect(enqueue_attempt_grading, dispatch_uid="rubrics.grade_submitted_attempt")
