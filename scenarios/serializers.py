from __future__ import annotations

from rest_framework import serializers

from scenarios.models import Attempt, Clip, Drill, Module


class ClipOut(serializers.ModelSerializer[Clip]):
    class Meta:
        model = Clip
        fields = ["id", "call", "start_s", "end_s", "transcript", "audio"]


class DrillOut(serializers.ModelSerializer[Drill]):
    class Meta:
        model = Drill
        fields = [
            "id",
            "order",
            "kind",
            "step",
            "title",
            "instructions",
            "customer_line",
            "context",
            "rubric_slug",
            "clip",
            "persona",
        ]


class ModuleOut(serializers.ModelSerializer[Module]):
    drills = DrillOut(many=True, read_only=True)
    clips = ClipOut(many=True, read_only=True)

    class Meta:
        model = Module
        fields = [
            "id",
            "slug",
            "title",
            "summary",
            "trigger",
            "status",
            "pass_threshold",
            "source_flag",
            "created_at",
            "clips",
            "drills",
        ]


class ModuleBuildIn(serializers.Serializer[None]):
    flag = serializers.IntegerField(min_value=1)


class AttemptIn(serializers.Serializer[None]):
    text = serializers.CharField(required=False, allow_blank=True, default="", max_length=50_000, trim_whitespace=False)
    audio = serializers.FileField(required=False, allow_null=True, default=None)
    agent = serializers.IntegerField(required=False, allow_null=True, default=None, min_value=1)


class AttemptOut(serializers.ModelSerializer[Attempt]):
    class Meta:
        model = Attempt
        fields = [
            "id",
            "drill",
            "agent",
            "channel",
            "answer_text",
            "answer_audio",
            "status",
            "failure_reason",
            "created_at",
        ]
