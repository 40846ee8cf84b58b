"""Training modules built from flagged calls: clips, drills and learners' attempts."""

from __future__ import annotations

from django.db import models

from deesc_lms.calls.models import Agent, Call, EscalationFlag


class Module(models.Model):
    class Status(models.TextChoices):
        DRAFT = "draft", "Draft"
        PUBLISHED = "published", "Published"

    slug = models.SlugField(max_length=120, unique=True)
    title = models.CharField(max_length=255)
    summary = models.TextField(blank=True, default="")
    trigger = models.CharField(max_length=64, blank=True, default="")
    source_flag = models.ForeignKey(
        EscalationFlag, null=True, blank=True, on_delete=models.SET_NULL, related_name="modules"
    )
    status = models.CharField(max_length=16, choices=Status.choices, default=Status.DRAFT)
    pass_threshold = models.PositiveSmallIntegerField(default=70, help_text="0..100; a drill is passed at or above it.")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return self.title


class Clip(models.Model):
    module = models.ForeignKey(Module, on_delete=models.CASCADE, related_name="clips")
    call = models.ForeignKey(Call, on_delete=models.PROTECT, related_name="clips")
    start_s = models.FloatField()
    end_s = models.FloatField()
    transcript = models.TextField(blank=True, default="")
    audio = models.FileField(upload_to="clips/%Y/%m/", blank=True, default="")

    class Meta:
        ordering = ["module", "start_s"]
        constraints = [
            models.CheckConstraint(condition=models.Q(end_s__gt=models.F("start_s")), name="clip_end_after_start")
        ]

    def __str__(self) -> str:
        return f"{self.call} {self.start_s:.1f}-{self.end_s:.1f}s"


class Drill(models.Model):
    class Kind(models.TextChoices):
        STEP = "step", "Single step"
        COMBINED = "combined", "Combined"
        ROLEPLAY = "roleplay", "Role-play"

    module = models.ForeignKey(Module, on_delete=models.CASCADE, related_name="drills")
    order = models.PositiveSmallIntegerField()
    kind = models.CharField(max_length=16, choices=Kind.choices)
    step = models.PositiveSmallIntegerField(null=True, blank=True, help_text="1..5 for a single-step drill.")
    title = models.CharField(max_length=255)
    instructions = models.TextField()
    customer_line = models.TextField(help_text="What the customer says; the learner answers it.")
    context = models.TextField(blank=True, default="", help_text="The situation, from the real call.")
    clip = models.ForeignKey(Clip, null=True, blank=True, on_delete=models.SET_NULL, related_name="drills")
    # Rubrics sit above scenarios in the data flow, so a drill names its rubric by slug.
    rubric_slug = models.SlugField(max_length=120)
    persona = models.JSONField(default=dict, blank=True, help_text="Role-play: how the simulated customer talks.")

    class Meta:
        ordering = ["module", "order"]
        constraints = [models.UniqueConstraint(fields=["module", "order"], name="drill_module_order_unique")]

    def __str__(self) -> str:
        return f"{self.module.slug} #{self.order} {self.title}"


class Attempt(models.Model):
    class Status(models.TextChoices):
        RECEIVED = "received", "Received"
        GRADED = "graded", "Graded"
        FAILED = "failed", "Failed"

    class Channel(models.TextChoices):
        WEB = "web", "Web"
        LTI = "lti", "LTI"
        SCORM = "scorm", "SCORM"
        CLI = "cli", "Command line"

    drill = models.ForeignKey(Drill, on_delete=models.PROTECT, related_name="attempts")
    agent = models.ForeignKey(Agent, null=True, blank=True, on_delete=models.SET_NULL, related_name="attempts")
    channel = models.CharField(max_length=8, choices=Channel.choices, default=Channel.WEB)
    answer_text = models.TextField(blank=True, default="")
    customer_line = models.TextField(
        blank=True, default="", help_text="The line this answers, when not the drill's own (a role-play turn)."
    )
    answer_audio = models.FileField(upload_to="attempts/%Y/%m/", blank=True, default="")
    transcript = models.JSONField(default=dict, blank=True, help_text="ASR words and timing for a spoken answer.")
    status = models.CharField(max_length=16, choices=Status.choices, default=Status.RECEIVED)
    failure_reason = models.TextField(blank=True, default="")
    lti_context = models.JSONField(default=dict, blank=True, help_text="LTI launch the attempt came from (for AGS).")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"Attempt {self.pk} on {self.drill}"


class RolePlay(models.Model):
    """A learner's conversation with the simulated caller of a role-play drill."""

    class Status(models.TextChoices):
        ACTIVE = "active", "In progress"
        CALMED = "calmed", "Customer calmed"
        ESCALATED = "escalated", "Customer escalated"

    drill = models.ForeignKey(Drill, on_delete=models.PROTECT, related_name="roleplays")
    agent = models.ForeignKey(Agent, null=True, blank=True, on_delete=models.SET_NULL, related_name="roleplays")
    status = models.CharField(max_length=16, choices=Status.choices, default=Status.ACTIVE)
    frustration = models.FloatField(default=0.8, help_text="The simulated customer's frustration, 0..1.")
    turns = models.JSONField(
        default=list, help_text='[{"speaker": "customer"|"agent", "text", "frustration", "attempt"}]'
    )
    created_at = models.DateTimeField(auto_now_add=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"Role-play {self.pk} on {self.drill}"
