"""Learners' results: an attempt with its grade."""

from __future__ import annotations

from django.shortcuts import get_object_or_404
from django.urls import path
from drf_spectacular.utils import extend_schema
from rest_framework import serializers
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from deesc_lms.api_errors import NotFound
from rubrics.models import Grade
from scenarios.models import Attempt
from scenarios.serializers import AttemptOut
from scenarios.views import learner_agent


class GradeOut(serializers.ModelSerializer[Grade]):
    rubric = serializers.CharField(source="rubric_version.rubric.slug")
    rubric_version = serializers.IntegerField(source="rubric_version.number")

    class Meta:
        model = Grade
        fields = [
            "id",
            "score",
            "passed",
            "results",
            "feedback",
            "better_line",
            "rubric",
            "rubric_version",
            "created_at",
        ]


class AttemptResultOut(AttemptOut):
    grade = serializers.SerializerMethodField()

    class Meta(AttemptOut.Meta):
        fields = [*AttemptOut.Meta.fields, "grade"]

    @extend_schema(responses=GradeOut)
    def get_grade(self, attempt: Attempt) -> dict[str, object] | None:
        grade = attempt.grades.select_related("rubric_version__rubric").order_by("-created_at").first()
        return dict(GradeOut(grade).data) if grade else None


class AttemptResult(APIView):
    @extend_schema(responses=AttemptResultOut)
    def get(self, request: Request, attempt_id: int) -> Response:
        attempt = get_object_or_404(Attempt, pk=attempt_id)
        # Learners see their own attempts; coaches and designers (staff) see everyone's.
        if not request.user.is_staff and attempt.agent_id != learner_agent(request).pk:
            raise NotFound("No attempt with this id.")
        return Response(AttemptResultOut(attempt).data)


urlpatterns = [path("attempts/<int:attempt_id>", AttemptResult.as_view(), name="attempt-result")]
