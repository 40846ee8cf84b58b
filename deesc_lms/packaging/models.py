"""Exported SCORM packages of modules."""

from __future__ import annotations

import uuid

from django.db import models

from scenarios.models import Module


class Package(models.Model):
    class Standard(models.TextChoices):
        SCORM12 = "scorm12", "SCORM 1.2"
        SCORM2004 = "scorm2004", "SCORM 2004 4th edition"

    module = models.ForeignKey(Module, on_delete=models.CASCADE, related_name="packages")
    standard = models.CharField(max_length=16, choices=Standard.choices)
    file = models.FileField(upload_to="packages/%Y/%m/")
    sha256 = models.CharField(max_length=64)
    # The package's player sends answers to the grading endpoint with this token; unguessable, per package.
    token = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    size_bytes = models.PositiveBigIntegerField()
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"{self.module.slug} ({self.get_standard_display()})"
