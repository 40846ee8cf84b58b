"""API for getting calls in and transcripts out: upload, status, export."""

from __future__ import annotations

import json
import shutil
import tempfile
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.files.uploadedfile import UploadedFile
from django.http import HttpResponse
from django.shortcuts import get_object_or_404
from django.urls import path
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import serializers, status
from rest_framework.parsers import FormParser, MultiPartParser
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from deesc_lms.api_errors import DeescError
from deesc_lms.calls.models import Agent, Call, fmt_mss
from deesc_lms.calls.services import call_export, call_ingest


class CallStatusSerializer(serializers.ModelSerializer[Call]):
    duration = serializers.SerializerMethodField()
    utterance_count = serializers.IntegerField(source="utterances.count", read_only=True)

    class Meta:
        model = Call
        fields = [
            "id",
            "title",
            "agent",
            "source",
            "original_name",
            "status",
            "failure_reason",
            "channels",
            "channel_roles",
            "duration_s",
            "duration",
            "sample_rate",
            "input_format",
            "diarization",
            "asr_engine",
            "asr_model",
            "asr_seconds",
            "asr_rtf",
            "asr_attempts",
            "utterance_count",
            "created_at",
            "transcription_started_at",
            "transcribed_at",
        ]
        read_only_fields = fields

    def get_duration(self, call: Call) -> str:
        return fmt_mss(call.duration_s)


class UploadSerializer(serializers.Serializer[Any]):
    file = serializers.FileField(allow_empty_file=True)  # the service explains why an empty file is refused
    agent = serializers.PrimaryKeyRelatedField(queryset=Agent.objects.all(), required=False, allow_null=True)
    channel_roles = serializers.CharField(required=False, help_text='Comma-separated, e.g. "customer,agent".')
    speaker_map = serializers.CharField(required=False, help_text='JSON object, e.g. {"Sam": "agent"}.')


def _stream_to_disk(upload: UploadedFile, folder: Path) -> Path:
    """Uploads over FILE_UPLOAD_MAX_MEMORY_SIZE already sit in a temp file; smaller ones are written out."""
    target = folder / Path(upload.name or "upload").name
    with target.open("wb") as out:
        for chunk in upload.chunks():
            out.write(chunk)
    return target


class CallUploadView(APIView):
    parser_classes = [MultiPartParser, FormParser]

    @extend_schema(request=UploadSerializer, responses={201: CallStatusSerializer, 200: CallStatusSerializer})
    def post(self, request: Request) -> Response:
        """Upload a recording or transcript. 201 with the new call (queued or transcribed), 200 when the same
        file was already ingested, 4xx with the reason for bad input."""
        declared = int(request.META.get("CONTENT_LENGTH") or 0)
        if declared > settings.DEESC_MAX_UPLOAD_BYTES + 64 * 1024:
            raise DeescError(
                f"The upload is {declared / 1e6:.1f} MB, over the {settings.DEESC_MAX_UPLOAD_BYTES / 1e6:.0f} MB limit.",
                code="too_large",
                status_code=413,
            )
        form = UploadSerializer(data=request.data)
        form.is_valid(raise_exception=True)
        upload: UploadedFile = form.validated_data["file"]
        if (upload.size or 0) > settings.DEESC_MAX_UPLOAD_BYTES:
            raise DeescError(
                f"{upload.name} is over the {settings.DEESC_MAX_UPLOAD_BYTES / 1e6:.0f} MB limit.",
                code="too_large",
                status_code=413,
            )
        roles = form.validated_data.get("channel_roles")
        speaker_map = _speaker_map(form.validated_data.get("speaker_map"))
        folder = Path(tempfile.mkdtemp(prefix="deesc-upload-"))
        try:
            stored = _stream_to_disk(upload, folder)
            result = call_ingest(
                path=stored,
                agent=form.validated_data.get("agent"),
                original_name=upload.name,
                channel_roles=[r for r in roles.split(",") if r.strip()] if roles else None,
                speaker_map=speaker_map,
            )
        finally:
            shutil.rmtree(folder, ignore_errors=True)
        result.call.refresh_from_db()
        code = status.HTTP_201_CREATED if result.created else status.HTTP_200_OK
        return Response(CallStatusSerializer(result.call).data, status=code)


def _speaker_map(raw: str | None) -> dict[str, str] | None:
    if not raw:
        return None
    try:
        mapping = json.loads(raw)
    except json.JSONDecodeError as exc:
        raise DeescError(f"speaker_map is not valid JSON: {exc.msg}.", code="invalid") from exc
    if not isinstance(mapping, dict) or not all(isinstance(v, str) for v in mapping.values()):
        raise DeescError('speaker_map must be a JSON object of name to role, e.g. {"Sam": "agent"}.', code="invalid")
    return {str(k): v for k, v in mapping.items()}


class CallStatusView(APIView):
    @extend_schema(responses=CallStatusSerializer)
    def get(self, request: Request, pk: int) -> Response:
        """A call's ingest status: queued, transcribing, transcribed, analysed or failed (with the reason)."""
        call = get_object_or_404(Call, pk=pk)
        return Response(CallStatusSerializer(call).data)


class CallExportView(APIView):
    def perform_content_negotiation(self, request: Request, force: bool = False) -> Any:
        # ?format= names the transcript format here, not a DRF renderer.
        return super().perform_content_negotiation(request, force=True)

    @extend_schema(
        parameters=[OpenApiParameter("format", str, enum=["json", "vtt", "txt"], default="json")],
        responses={(200, "application/json"): dict, (200, "text/vtt"): str, (200, "text/plain"): str},
    )
    def get(self, request: Request, pk: int) -> HttpResponse:
        """The call's transcript as the project JSON, WebVTT or plain text."""
        call = get_object_or_404(Call, pk=pk)
        fmt = request.query_params.get("format", "json")
        content, content_type = call_export(call=call, fmt=fmt)
        response = HttpResponse(content, content_type=f"{content_type}; charset=utf-8")
        response["Content-Disposition"] = f'inline; filename="call-{call.pk}.{fmt}"'
        return response


urlpatterns = [
    path("calls/upload", CallUploadView.as_view(), name="call-upload"),
    path("calls/<int:pk>/status", CallStatusView.as_view(), name="call-status"),
    path("calls/<int:pk>/export", CallExportView.as_view(), name="call-export"),
]
