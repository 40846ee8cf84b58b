"""Exporting modules as SCORM packages, and the endpoint a package's player sends answers to.

The player runs inside any LMS, on another origin, without a deesc login: it is authorised by the
package's unguessable token and answered with CORS headers.
"""

from __future__ import annotations

from typing import Any

from django.http import FileResponse, HttpResponseBase
from django.shortcuts import get_object_or_404
from django.urls import path
from drf_spectacular.utils import extend_schema
from rest_framework import serializers, status
from rest_framework.permissions import AllowAny
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from deesc_lms.packaging import services
from deesc_lms.packaging.models import Package
from scenarios.models import Module


class PackageOut(serializers.ModelSerializer[Package]):
    class Meta:
        model = Package
        fields = ["id", "module", "standard", "sha256", "size_bytes", "created_at"]


class PackageIn(serializers.Serializer[None]):
    standard = serializers.ChoiceField(choices=Package.Standard.choices, default=Package.Standard.SCORM12)


class PackageAnswerIn(serializers.Serializer[None]):
    drill = serializers.IntegerField(min_value=1)
    answer = serializers.CharField(allow_blank=True, max_length=50_000, trim_whitespace=False)
    learner_id = serializers.CharField(required=False, allow_blank=True, default="", max_length=255)
    learner_name = serializers.CharField(required=False, allow_blank=True, default="", max_length=255)


class PackageGradeOut(serializers.Serializer[None]):
    attempt = serializers.IntegerField()
    status = serializers.CharField()
    score = serializers.FloatField(allow_null=True)
    passed = serializers.BooleanField(allow_null=True)
    feedback = serializers.CharField()
    better_line = serializers.CharField()
    criteria = serializers.ListField(child=serializers.DictField())


class PackageExport(APIView):
    @extend_schema(request=PackageIn, responses={201: PackageOut})
    def post(self, request: Request, slug: str) -> Response:
        module = get_object_or_404(Module, slug=slug)
        body = PackageIn(data=request.data)
        body.is_valid(raise_exception=True)
        package = services.package_export(module=module, standard=body.validated_data["standard"])
        return Response(PackageOut(package).data, status=status.HTTP_201_CREATED)


class PackageDownload(APIView):
    @extend_schema(responses={(200, "application/zip"): bytes})
    def get(self, request: Request, package_id: int) -> HttpResponseBase:
        package = get_object_or_404(Package, pk=package_id)
        return FileResponse(package.file.open("rb"), as_attachment=True, filename=package.file.name.rsplit("/", 1)[-1])


class PackageAnswer(APIView):
    authentication_classes: list[Any] = []
    permission_classes = [AllowAny]

    def finalize_response(self, request: Request, response: Any, *args: Any, **kwargs: Any) -> Any:
        response = super().finalize_response(request, response, *args, **kwargs)
        response["Access-Control-Allow-Origin"] = "*"
        response["Access-Control-Allow-Methods"] = "POST, OPTIONS"
        response["Access-Control-Allow-Headers"] = "Content-Type"
        response["Access-Control-Max-Age"] = "3600"
        return response

    @extend_schema(request=PackageAnswerIn, responses={200: PackageGradeOut, 202: PackageGradeOut})
    def post(self, request: Request, token: str) -> Response:
        body = PackageAnswerIn(data=request.data)
        body.is_valid(raise_exception=True)
        result = services.package_answer_submit(
            token=token,
            drill_order=body.validated_data["drill"],
            answer=body.validated_data["answer"],
            learner_id=body.validated_data["learner_id"],
            learner_name=body.validated_data["learner_name"],
        )
        grade = result.grade
        out = {
            "attempt": result.attempt.pk,
            "status": result.attempt.status,
            "score": grade.score if grade else None,
            "passed": grade.passed if grade else None,
            "feedback": grade.feedback if grade else "",
            "better_line": grade.better_line if grade else "",
            "criteria": grade.results if grade else [],
        }
        return Response(out, status=status.HTTP_200_OK if grade else status.HTTP_202_ACCEPTED)


urlpatterns = [
    path("modules/<slug:slug>/packages", PackageExport.as_view(), name="package-export"),
    path("packages/<int:package_id>/download", PackageDownload.as_view(), name="package-download"),
    path("packages/<uuid:token>/attempts", PackageAnswer.as_view(), name="package-answer"),
]
