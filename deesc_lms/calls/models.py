"""Calls, their transcripts and the escalation moments found in them."""

from __future__ import annotations

from django.db import models


def fmt_mss(seconds: float | None) -> str:
    """Seconds as m:ss (or h:mm:ss past an hour), the way a person reads call times."""
    if seconds is None:
        return "-"
    total = max(0, int(round(seconds)))
    hours, rest = divmod(total, 3600)
    minutes, secs = divmod(rest, 60)
    if hours:
        return f"{hours}:{minutes:02d}:{secs:02d}"
    return f"{minutes}:{secs:02d}"


class Agent(models.Model):
    """A contact-centre agent: the learner in training and the speaker on real calls."""

    name = models.CharField(max_length=200)
    team = models.CharField(max_length=120, blank=True, default="")
    email = models.EmailField(blank=True, default="")
    external_id = models.CharField(
        max_length=255, blank=True, default="", help_text="Id in the LMS or telephony system."
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["name"]
        constraints = [
            models.UniqueConstraint(
                fields=["external_id"], condition=~models.Q(external_id=""), name="agent_external_id_unique"
            )
        ]

    def __str__(self) -> str:
        return self.name


class Call(models.Model):
    class Source(models.TextChoices):
        AUDIO = "audio", "Audio recording"
        TRANSCRIPT = "transcript", "Transcript"

    class Status(models.TextChoices):
        QUEUED = "queued", "Queued"
        TRANSCRIBING = "transcribing", "Transcribing"
        TRANSCRIBED = "transcribed", "Transcribed"
        ANALYSED = "analysed", "Analysed"
        FAILED = "failed", "Failed"

    title = models.CharField(max_length=255, blank=True, default="")
    agent = models.ForeignKey(Agent, null=True, blank=True, on_delete=models.SET_NULL, related_name="calls")
    source = models.CharField(max_length=16, choices=Source.choices)
    original_name = models.CharField(max_length=255, blank=True, default="")
    media = models.FileField(upload_to="calls/%Y/%m/", blank=True, default="")
    content_hash = models.CharField(max_length=64, unique=True, help_text="SHA-256 of the uploaded file.")
    channels = models.PositiveSmallIntegerField(default=0)
    channel_roles = models.JSONField(
        default=list, blank=True, help_text='Role per channel, e.g. ["agent", "customer"].'
    )
    duration_s = models.FloatField(null=True, blank=True)
    started_at = models.DateTimeField(null=True, blank=True, help_text="When the call took place.")
    status = models.CharField(max_length=16, choices=Status.choices, default=Status.QUEUED)
    failure_reason = models.TextField(blank=True, default="")
    asr_engine = models.CharField(max_length=64, blank=True, default="")
    asr_model = models.CharField(max_length=255, blank=True, default="")
    asr_seconds = models.FloatField(null=True, blank=True, help_text="Wall-clock seconds the transcription took.")
    asr_rtf = models.FloatField(null=True, blank=True, help_text="Audio seconds per second of processing.")
    asr_attempts = models.PositiveSmallIntegerField(default=0, help_text="Transcription attempts so far.")
    sample_rate = models.PositiveIntegerField(null=True, blank=True, help_text="Hz of the uploaded audio.")
    input_format = models.CharField(
        max_length=32, blank=True, default="", help_text="Container/codec of the audio, or the transcript format."
    )
    diarization = models.CharField(
        max_length=16,
        blank=True,
        default="",
        help_text="How speakers were told apart: channels, clustering (mono audio) or transcript labels.",
    )
    transcription_started_at = models.DateTimeField(null=True, blank=True)
    transcribed_at = models.DateTimeField(null=True, blank=True)
    frustration_curve = models.JSONField(default=list, blank=True, help_text="[[seconds, 0..1], ...] for the customer.")
    analysis_note = models.TextField(blank=True, default="", help_text="Why no flag was raised, when none was.")
    analysed_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return self.title or self.original_name or f"Call {self.pk}"


class Utterance(models.Model):
    class Role(models.TextChoices):
        AGENT = "agent", "Agent"
        CUSTOMER = "customer", "Customer"
        UNKNOWN = "unknown", "Unknown"

    call = models.ForeignKey(Call, on_delete=models.CASCADE, related_name="utterances")
    index = models.PositiveIntegerField()
    role = models.CharField(max_length=16, choices=Role.choices, default=Role.UNKNOWN)
    speaker = models.CharField(
        max_length=120, blank=True, default="", help_text="Speaker label as found in the source."
    )
    channel = models.PositiveSmallIntegerField(null=True, blank=True)
    start_s = models.FloatField(null=True, blank=True)
    end_s = models.FloatField(null=True, blank=True)
    text = models.TextField()
    words = models.JSONField(default=list, blank=True, help_text='[{"word", "start", "end", "probability"}, ...]')

    class Meta:
        ordering = ["call", "index"]
        constraints = [models.UniqueConstraint(fields=["call", "index"], name="utterance_call_index_unique")]

    def __str__(self) -> str:
        return f"[{fmt_mss(self.start_s)}] {self.role}: {self.text[:60]}"


class Trigger(models.Model):
    """A kind of escalation trigger; editable in admin, with the rules and examples that find it."""

    slug = models.SlugField(max_length=64, unique=True)
    name = models.CharField(max_length=120)
    description = models.TextField(blank=True, default="")
    keywords = models.JSONField(default=list, blank=True, help_text="Regular expressions, matched case-insensitively.")
    agent_keywords = models.JSONField(
        default=list, blank=True, help_text="Regular expressions for the agent's turn just before the moment."
    )
    examples = models.JSONField(default=list, blank=True, help_text="Labelled customer utterances for the classifier.")
    active = models.BooleanField(default=True)

    class Meta:
        ordering = ["slug"]

    def __str__(self) -> str:
        return self.name


class EscalationFlag(models.Model):
    class Stage(models.TextChoices):
        OPENING = "opening", "Opening"
        DISCOVERY = "discovery", "Discovery"
        EXPLANATION = "explanation", "Explanation / policy"
        RESOLUTION = "resolution", "Resolution"
        CLOSING = "closing", "Closing"

    class Position(models.TextChoices):
        EARLY = "early", "Early"
        MIDDLE = "middle", "Middle"
        LATE = "late", "Late"

    class Outcome(models.TextChoices):
        RECOVERED = "recovered", "Recovered"
        DETERIORATED = "deteriorated", "Deteriorated"
        PREVENTED = "prevented", "Prevented"
        NONE = "none", "None"

    call = models.ForeignKey(Call, on_delete=models.CASCADE, related_name="flags")
    time_s = models.FloatField(help_text="The escalation moment, seconds from the start of the call.")
    severity = models.FloatField(default=0.0, help_text="0..1")
    trigger = models.CharField(max_length=64, default="unknown", help_text="Trigger slug, or 'unknown'.")
    trigger_confidence = models.FloatField(default=0.0)
    stage = models.CharField(max_length=16, choices=Stage.choices)
    position = models.CharField(max_length=8, choices=Position.choices)
    excerpt = models.TextField(help_text="What the customer said at the moment.")
    agent_turn_before = models.TextField(blank=True, default="")
    outcome = models.CharField(max_length=16, choices=Outcome.choices, default=Outcome.NONE)
    first_agent_response = models.TextField(blank=True, default="")
    prevention_s = models.FloatField(null=True, blank=True, help_text="Earliest moment it could have been prevented.")
    redirect_language = models.TextField(blank=True, default="", help_text="Language that would have redirected it.")
    review = models.JSONField(default=dict, blank=True)
    representative = models.BooleanField(default=False, help_text="Chosen as a training example for its trigger.")
    representative_override = models.BooleanField(
        null=True, blank=True, help_text="Designer's choice: yes or no overrides the automatic pick."
    )
    representative_reason = models.CharField(
        max_length=255, blank=True, default="", help_text="Why this flag was (or was not) picked for training."
    )
    voice_used = models.BooleanField(default=False, help_text="The curve used loudness and speech rate from audio.")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["call", "time_s"]
        indexes = [models.Index(fields=["trigger", "stage"], name="flag_trigger_stage")]

    def __str__(self) -> str:
        return f"{self.call} @ {fmt_mss(self.time_s)} ({self.trigger})"

    @property
    def time_mss(self) -> str:
        return fmt_mss(self.time_s)

    @property
    def prevention_mss(self) -> str:
        return fmt_mss(self.prevention_s)
