from django.apps import AppConfig


class RubricsConfig(AppConfig):
    name = "rubrics"
    verbose_name = "Rubrics and grading"

    def ready(self) -> None:
        from rubrics import checks  # noqa: F401  (registers the system checks)
        from rubrics.roleplay_judge import judge_turn
        from rubrics.tasks import enqueue_attempt_grading
        from scenarios.roleplay import register_judge
        from scenarios.signals import attempt_submitted

        attempt_submitted.connect(enqueue_attempt_grading, dispatch_uid="rubrics.grade_submitted_attempt")
        register_judge(judge_turn)
