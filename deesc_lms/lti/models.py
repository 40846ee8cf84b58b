"""LTI 1.3 platform registrations, the tool's signing keys, and the gradebook outbox."""

from __future__ import annotations

from django.db import models

from rubrics.models import Grade


class ToolKey(models.Model):
    """RSA key the tool signs its messages with; generated on the server, never committed."""

    kid = models.CharField(max_length=64, unique=True)
    private_pem = models.TextField()
    public_pem = models.TextField()
    active = models.BooleanField(default=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return self.kid


class Registration(models.Model):
    """One LMS (issuer + client id) the tool trusts."""

    name = models.CharField(max_length=200)
    issuer = models.CharField(max_length=255)
    client_id = models.CharField(max_length=255)
    auth_login_url = models.URLField(max_length=500)
    auth_token_url = models.URLField(max_length=500)
    key_set_url = models.URLField(max_length=500, blank=True, default="")
    key_set = models.JSONField(null=True, blank=True, help_text="Platform JWKS, when it is not fetched from a URL.")
    deployment_ids = models.JSONField(default=list, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["name"]
        constraints = [
            models.UniqueConstraint(fields=["issuer", "client_id"], name="registration_issuer_client_unique")
        ]

    def __str__(self) -> str:
        return f"{self.name} ({self.issuer})"


class GradeDelivery(models.Model):
    """Outbox row: a score waiting to reach a gradebook; retried with backoff, sent once."""

    class Target(models.TextChoices):
        LTI_AGS = "lti_ags", "LTI Assignment and Grade Services"

    class Status(models.TextChoices):
        PENDING = "pending", "Pending"
        SENT = "sent", "Sent"
        FAILED = "failed", "Failed (gave up)"

    grade = models.ForeignKey(Grade, on_delete=models.CASCADE, related_name="deliveries")
    target = models.CharField(max_length=16, choices=Target.choices, default=Target.LTI_AGS)
    destination = models.JSONField(default=dict, help_text="Where to: registration, line item URL, user id.")
    payload = models.JSONField(default=dict)
    status = models.CharField(max_length=16, choices=Status.choices, default=Status.PENDING)
    tries = models.PositiveSmallIntegerField(default=0)
    last_error = models.TextField(blank=True, default="")
    next_try_at = models.DateTimeField(null=True, blank=True)
    sent_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        constraints = [models.UniqueConstraint(fields=["grade", "target"], name="gradedelivery_grade_target_unique")]

    def __str__(self) -> str:
        return f"{self.get_target_display()} for grade {self.grade_id}: {self.status}"
