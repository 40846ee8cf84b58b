"""Rubrics API (mounted under /api/): list rubrics, read a version, grade an answer, read a grade."""

from __future__ import annotations

from typing import Any

from django.shortcuts import get_object_or_404
from django.urls import path
from drf_spectacular.utils import extend_schema
from rest_framework import serializers, status
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from rubrics import selectors, services
from rubrics.models import Grade, Rubric, RubricVersion


class RubricOut(serializers.Serializer[Rubric]):
    slug = serializers.CharField()
    name = serializers.CharField()
    description = serializers.CharField()
    current_version = serializers.SerializerMethodField()

    def get_current_version(self, rubric: Rubric) -> dict[str, Any] | None:
        version = rubric.versions.filter(status=RubricVersion.Status.PUBLISHED).order_by("-number").first()
        if version is None:
            return None
        return {
            "number": version.number,
            "pass_threshold": version.pass_threshold,
            "content_hash": version.content_hash,
        }


class GradeIn(serializers.Serializer[Any]):
    text = serializers.CharField(allow_blank=True, trim_whitespace=False, max_length=60_000)
    customer_line = serializers.CharField(required=False, allow_blank=True, default="", max_length=5_000)


class GradeOut(serializers.ModelSerializer[Grade]):
    rubric = serializers.CharField(source="rubric_version.rubric.slug")
    rubric_version = serializers.IntegerField(source="rubric_version.number")
    criteria = serializers.JSONField(source="results")

    class Meta:
        model = Grade
        fields = [
            "id",
            "source",
            "rubric",
            "rubric_version",
            "score",
            "passed",
            "criteria",
            "feedback",
            "better_line",
            "answer_text",
            "customer_line",
            "attempt",
            "call",
            "created_at",
        ]


class RubricList(APIView):
    @extend_schema(responses={200: RubricOut(many=True)})
    def get(self, request: Request) -> Response:
        rubrics = list(Rubric.objects.order_by("slug"))
        return Response([RubricOut(r).data for r in rubrics])


class RubricDetail(APIView):
    @extend_schema(responses={200: dict})
    def get(self, request: Request, slug: str) -> Response:
        version = selectors.version_current(slug=slug)
        document = selectors.version_document(version)
        return Response({**document, "version": version.number, "content_hash": version.content_hash})


class RubricGrade(APIView):
    @extend_schema(request=GradeIn, responses={201: GradeOut})
    def post(self, request: Request, slug: str) -> Response:
        body = GradeIn(data=request.data)
        body.is_valid(raise_exception=True)
        grade = services.answer_grade(
            rubric_slug=slug, text=body.validated_data["text"], customer_line=body.validated_data["customer_line"]
        )
        return Response(GradeOut(grade).data, status=status.HTTP_201_CREATED)


class GradeDetail(APIView):
    @extend_schema(responses={200: GradeOut})
    def get(self, request: Request, pk: int) -> Response:
        grade = get_object_or_404(Grade.objects.select_related("rubric_version__rubric"), pk=pk)
        agent = grade.attempt.agent if grade.attempt is not None else None
        own = agent is not None and bool(agent.email) and agent.email == getattr(request.user, "email", "")
        if not request.user.is_staff and not own:
            return Response(
                {"error": {"code": "not_found", "message": "No grade with this id.", "detail": None}}, status=404
            )
        return Response(GradeOut(grade).data)


urlpatterns = [
    path("rubrics/", RubricList.as_view(), name="rubric-list"),
    path("rubrics/<slug:slug>/", RubricDetail.as_view(), name="rubric-detail"),
    path("rubrics/<slug:slug>/grade/", RubricGrade.as_view(), name="rubric-grade"),
    path("grades/<int:pk>/", GradeDetail.as_view(), name="grade-detail"),
]
