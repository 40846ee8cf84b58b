"""Behaviour-anchored rubrics (rubric → version → criterion → level / detector) and grades.

A published RubricVersion is never edited: a change makes a new draft version, and each Grade
points at the exact version that produced it.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models

from deesc_lms.calls.models import Call
from scenarios.models import Attempt


class Rubric(models.Model):
    slug = models.SlugField(max_length=120, unique=True)
    name = models.CharField(max_length=200)
    description = models.TextField(blank=True, default="")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["slug"]

    def __str__(self) -> str:
        return self.name


class RubricVersion(models.Model):
    class Status(models.TextChoices):
        DRAFT = "draft", "Draft"
        PUBLISHED = "published", "Published"

    rubric = models.ForeignKey(Rubric, on_delete=models.PROTECT, related_name="versions")
    number = models.PositiveIntegerField()
    status = models.CharField(max_length=16, choices=Status.choices, default=Status.DRAFT)
    pass_threshold = models.PositiveSmallIntegerField(default=70, help_text="0..100")
    content_hash = models.CharField(max_length=64, blank=True, default="", help_text="Set at publish time.")
    change_note = models.TextField(blank=True, default="", help_text="What changed, and why, in this version.")
    model_answers = models.JSONField(
        default=list,
        blank=True,
        help_text="Whole answers a coach would give full marks: candidates for the 'better line'.",
    )
    based_on = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.SET_NULL, related_name="drafts", help_text="Copied from."
    )
    published_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["rubric", "-number"]
        constraints = [
            models.UniqueConstraint(fields=["rubric", "number"], name="rubricversion_number_unique"),
            models.UniqueConstraint(
                fields=["rubric", "content_hash"],
                condition=~models.Q(content_hash=""),
                name="rubricversion_hash_unique",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.rubric.slug} v{self.number} ({self.status})"

    @property
    def is_published(self) -> bool:
        return self.status == self.Status.PUBLISHED


class Criterion(models.Model):
    version = models.ForeignKey(RubricVersion, on_delete=models.CASCADE, related_name="criteria")
    order = models.PositiveSmallIntegerField(default=0)
    slug = models.SlugField(max_length=120)
    name = models.CharField(max_length=200)
    behaviour = models.TextField(help_text="The observable behaviour this criterion looks for.")
    weight = models.FloatField(default=1.0)
    steps = models.JSONField(default=list, blank=True, help_text="Which of the five steps it applies to, e.g. [2].")
    critical = models.BooleanField(
        default=False, help_text="At its lowest level this criterion fails the answer, whatever the total."
    )
    combine = models.CharField(
        max_length=8,
        choices=[("max", "Strongest detector"), ("mean", "Weighted mean"), ("min", "Weakest detector")],
        default="max",
        help_text="How the scoring detectors' 0..1 results make the criterion's result.",
    )

    class Meta:
        ordering = ["version", "order", "id"]
        constraints = [models.UniqueConstraint(fields=["version", "slug"], name="criterion_slug_unique")]

    def __str__(self) -> str:
        return self.name


class Level(models.Model):
    criterion = models.ForeignKey(Criterion, on_delete=models.CASCADE, related_name="levels")
    points = models.PositiveSmallIntegerField()
    label = models.CharField(max_length=80)
    descriptor = models.TextField()
    min_score = models.FloatField(
        default=0.0, help_text="Reached when the criterion's detectors score at least this (0..1)."
    )
    examples = models.JSONField(default=list, blank=True, help_text="Anchor answers at this level.")

    class Meta:
        ordering = ["criterion", "points"]
        constraints = [models.UniqueConstraint(fields=["criterion", "points"], name="level_points_unique")]

    def __str__(self) -> str:
        return f"{self.label} ({self.points})"


class Detector(models.Model):
    class Kind(models.TextChoices):
        PHRASE = "phrase", "Phrase / regex present"
        FORBIDDEN = "forbidden", "Forbidden phrase"
        SEMANTIC = "semantic", "Semantic similarity"
        ORDER = "order", "Order (A before B)"
        EMOTION = "emotion", "Names the emotion"
        RESTATEMENT = "restatement", "Restates the issue"
        CONCRETENESS = "concreteness", "Concrete action and owner"
        TIMEFRAME = "timeframe", "Specific timeframe"
        VOICE = "voice", "Voice: pause, rate, loudness"
        UNDERSTANDING = "understanding", "Checks understanding"
        NEXT_STEP = "next_step", "States the next step"
        CALM_OPENING = "calm_opening", "Calm, settling opening"

    criterion = models.ForeignKey(Criterion, on_delete=models.CASCADE, related_name="detectors")
    order = models.PositiveSmallIntegerField(default=0)

    class Role(models.TextChoices):
        SCORE = "score", "Scores the criterion"
        VETO = "veto", "Veto: caps the criterion at its lowest level when it fails"

    kind = models.CharField(max_length=16, choices=Kind.choices)
    role = models.CharField(max_length=8, choices=Role.choices, default=Role.SCORE)
    weight = models.FloatField(default=1.0, help_text="Only used when the criterion combines by weighted mean.")
    config = models.JSONField(default=dict, blank=True)

    class Meta:
        ordering = ["criterion", "order", "id"]

    def __str__(self) -> str:
        return f"{self.get_kind_display()}"


class Grade(models.Model):
    """One scoring of an answer (a drill attempt, a trial in admin or the CLI) or of a real call."""

    class Source(models.TextChoices):
        ATTEMPT = "attempt", "Drill attempt"
        CALL = "call", "Real call"
        TRIAL = "trial", "Trial answer"

    source = models.CharField(max_length=8, choices=Source.choices, default=Source.TRIAL)
    attempt = models.ForeignKey(Attempt, null=True, blank=True, on_delete=models.CASCADE, related_name="grades")
    call = models.ForeignKey(Call, null=True, blank=True, on_delete=models.CASCADE, related_name="grades")
    rubric_version = models.ForeignKey(RubricVersion, on_delete=models.PROTECT, related_name="grades")
    score = models.FloatField(help_text="0..100")
    passed = models.BooleanField()
    results = models.JSONField(default=list, help_text="Per criterion: slug, level, points, evidence, feedback.")
    feedback = models.TextField(blank=True, default="")
    better_line = models.TextField(blank=True, default="")
    feedback_audio = models.FileField(upload_to="feedback/%Y/%m/", blank=True, default="")
    answer_text = models.TextField(blank=True, default="", help_text="The answer as graded (the transcript if spoken).")
    customer_line = models.TextField(blank=True, default="")
    transcript = models.JSONField(default=dict, blank=True, help_text="Words with timestamps and voice features.")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=(models.Q(source="attempt") & models.Q(attempt__isnull=False))
                | (models.Q(source="call") & models.Q(call__isnull=False))
                | models.Q(source="trial"),
                name="grade_source_has_subject",
            ),
            models.CheckConstraint(
                condition=models.Q(score__gte=0) & models.Q(score__lte=100), name="grade_score_range"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.score:.0f} ({'passed' if self.passed else 'not yet'})"


class CalibrationSample(models.Model):
    """A sample answer that coaches score by hand, to check the engine agrees with them."""

    rubric = models.ForeignKey(Rubric, on_delete=models.CASCADE, related_name="calibration_samples")
    key = models.CharField(max_length=120, unique=True, help_text="Stable id, e.g. from the fixture file.")
    customer_line = models.TextField(blank=True, default="")
    answer_text = models.TextField()
    kind = models.CharField(max_length=16, blank=True, default="", help_text="good, poor or borderline.")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["rubric", "key"]

    def __str__(self) -> str:
        return self.key


class CoachScore(models.Model):
    """One coach's level for one criterion of one sample answer."""

    sample = models.ForeignKey(CalibrationSample, on_delete=models.CASCADE, related_name="coach_scores")
    criterion_slug = models.SlugField(max_length=120)
    points = models.PositiveSmallIntegerField()
    coach = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="coach_scores"
    )
    coach_name = models.CharField(max_length=120, help_text="Who scored it (the user's name, or the fixture's).")
    note = models.TextField(blank=True, default="")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["sample", "criterion_slug", "coach_name"]
        constraints = [
            models.UniqueConstraint(
                fields=["sample", "criterion_slug", "coach_name"], name="coachscore_one_per_coach_criterion"
            )
        ]

    def __str__(self) -> str:
        return f"{self.coach_name}: {self.criterion_slug}={self.points}"
