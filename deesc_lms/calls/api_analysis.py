"""API for escalation analysis: flags, the pattern map, CSV export, re-analysis (mounted under /api/)."""

from __future__ import annotations

import csv
import io
from typing import Any

from django.http import HttpResponse
from django.shortcuts import get_object_or_404
from django.urls import path
from django.utils import timezone
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import serializers
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from deesc_lms.api_errors import DeescError
from deesc_lms.calls import selectors
from deesc_lms.calls.models import Call, EscalationFlag, fmt_mss
from deesc_lms.calls.services import call_analyse, flag_set_representative, flags_pick_representative


class FlagSerializer(serializers.ModelSerializer[EscalationFlag]):
    time = serializers.SerializerMethodField()
    prevention_time = serializers.SerializerMethodField()
    agent = serializers.SerializerMethodField()
    team = serializers.SerializerMethodField()

    class Meta:
        model = EscalationFlag
        fields = [
            "id", "call", "time", "time_s", "severity", "trigger", "trigger_confidence", "stage", "position",
            "outcome", "excerpt", "agent_turn_before", "first_agent_response", "prevention_time", "prevention_s",
            "redirect_language", "review", "representative", "representative_override", "representative_reason",
            "voice_used", "agent", "team",
        ]  # fmt: skip
        read_only_fields = fields

    def get_time(self, obj: EscalationFlag) -> str:
        return fmt_mss(obj.time_s)

    def get_prevention_time(self, obj: EscalationFlag) -> str | None:
        return fmt_mss(obj.prevention_s) if obj.prevention_s is not None else None

    def get_agent(self, obj: EscalationFlag) -> str:
        return obj.call.agent.name if obj.call.agent else ""

    def get_team(self, obj: EscalationFlag) -> str:
        return obj.call.agent.team if obj.call.agent else ""


class FlagFilterSerializer(serializers.Serializer[Any]):
    trigger = serializers.CharField(required=False, default="")
    outcome = serializers.ChoiceField(choices=EscalationFlag.Outcome.choices, required=False, default="")
    stage = serializers.ChoiceField(choices=EscalationFlag.Stage.choices, required=False, default="")
    call = serializers.IntegerField(required=False, default=None, min_value=1, max_value=selectors.MAX_DB_ID)
    agent = serializers.IntegerField(required=False, default=None, min_value=1, max_value=selectors.MAX_DB_ID)
    team = serializers.CharField(required=False, default="")
    since = serializers.DateField(required=False, default=None)
    until = serializers.DateField(required=False, default=None)
    representative = serializers.BooleanField(required=False, default=None, allow_null=True)


def _filters(request: Request) -> dict[str, Any]:
    params = FlagFilterSerializer(data=request.query_params)
    params.is_valid(raise_exception=True)
    data = params.validated_data
    return {
        "trigger": data["trigger"],
        "outcome": data["outcome"],
        "stage": data["stage"],
        "call_id": data["call"],
        "agent_id": data["agent"],
        "team": data["team"],
        "since": data["since"],
        "until": data["until"],
        "representative": data["representative"] if "representative" in request.query_params else None,
    }


FILTER_PARAMS = [
    OpenApiParameter(name, str, required=False)
    for name in ("trigger", "outcome", "stage", "call", "agent", "team", "since", "until", "representative")
]


class FlagListApi(APIView):
    @extend_schema(parameters=FILTER_PARAMS, responses=FlagSerializer(many=True))
    def get(self, request: Request) -> Response:
        """Escalation flags over all calls, filtered; paginated with limit/offset."""
        from deesc_lms.pagination import BoundedLimitOffsetPagination

        flags = selectors.flags_filtered(**_filters(request))
        paginator = BoundedLimitOffsetPagination()
        page = paginator.paginate_queryset(flags, request, view=self)
        return paginator.get_paginated_response(FlagSerializer(page, many=True).data)


class FlagDetailApi(APIView):
    @extend_schema(responses=FlagSerializer)
    def get(self, request: Request, pk: int) -> Response:
        flag = get_object_or_404(EscalationFlag.objects.select_related("call", "call__agent"), pk=pk)
        return Response(FlagSerializer(flag).data)


class FlagExportCsvApi(APIView):
    @extend_schema(parameters=FILTER_PARAMS, responses={(200, "text/csv"): bytes})
    def get(self, request: Request) -> HttpResponse:
        """The filtered flags as CSV (one row a flag, times as m:ss)."""
        rows = selectors.flag_rows(selectors.flags_filtered(**_filters(request)))
        buffer = io.StringIO()
        writer = csv.DictWriter(buffer, fieldnames=selectors.CSV_COLUMNS, extrasaction="ignore")
        writer.writeheader()
        writer.writerows(rows)
        response = HttpResponse(buffer.getvalue(), content_type="text/csv; charset=utf-8")
        response["Content-Disposition"] = (
            f'attachment; filename="escalation-flags-{timezone.localdate().isoformat()}.csv"'
        )
        return response


class PatternMapFilterSerializer(serializers.Serializer[Any]):
    team = serializers.CharField(required=False, default="")
    agent = serializers.IntegerField(required=False, default=None, min_value=1, max_value=selectors.MAX_DB_ID)
    since = serializers.DateField(required=False, default=None)
    until = serializers.DateField(required=False, default=None)


class PatternMapApi(APIView):
    @extend_schema(
        parameters=[OpenApiParameter(n, str, required=False) for n in ("team", "agent", "since", "until")],
        responses={200: dict},
    )
    def get(self, request: Request) -> Response:
        """Trigger × stage × frequency, weekly trend, teams, agents, and the agent phrases that precede escalations."""
        params = PatternMapFilterSerializer(data=request.query_params)
        params.is_valid(raise_exception=True)
        d = params.validated_data
        return Response(selectors.pattern_map(team=d["team"], agent_id=d["agent"], since=d["since"], until=d["until"]))


class CallAnalyseApi(APIView):
    @extend_schema(request=None, responses=FlagSerializer(many=True))
    def post(self, request: Request, pk: int) -> Response:
        """Re-analyse one call now; its flags are replaced."""
        call = get_object_or_404(Call, pk=pk)
        if not call.utterances.exists() and call.status in {Call.Status.QUEUED, Call.Status.TRANSCRIBING}:
            raise DeescError(
                f"Call {pk} is not transcribed yet ({call.status}).", code="not_transcribed", status_code=409
            )
        flags = call_analyse(call=call)
        saved = EscalationFlag.objects.filter(pk__in=[f.pk for f in flags]).select_related("call", "call__agent")
        return Response({"call": call.pk, "note": call.analysis_note, "flags": FlagSerializer(saved, many=True).data})


class RepresentativeInputSerializer(serializers.Serializer[Any]):
    choice = serializers.BooleanField(allow_null=True)


class RepresentativePickApi(APIView):
    @extend_schema(request=None, responses=FlagSerializer(many=True))
    def post(self, request: Request) -> Response:
        """Pick 3-5 representative flags per trigger (designer overrides win)."""
        trigger = request.query_params.get("trigger") or None
        picked = flags_pick_representative(trigger=trigger)
        return Response({"criteria": _criteria(), "flags": FlagSerializer(picked, many=True).data})


class FlagRepresentativeApi(APIView):
    @extend_schema(request=RepresentativeInputSerializer, responses=FlagSerializer(many=True))
    def post(self, request: Request, pk: int) -> Response:
        """Override the pick for one flag: true includes it, false leaves it out, null lets the criteria decide."""
        flag = get_object_or_404(EscalationFlag, pk=pk)
        data = RepresentativeInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        picked = flag_set_representative(flag=flag, choice=data.validated_data["choice"])
        return Response({"flags": FlagSerializer(picked, many=True).data})


def _criteria() -> str:
    from deesc_lms.calls.services.analysis import REPRESENTATIVE_CRITERIA

    return REPRESENTATIVE_CRITERIA


urlpatterns = [
    path("flags/", FlagListApi.as_view(), name="api-flags"),
    path("flags/export.csv", FlagExportCsvApi.as_view(), name="api-flags-csv"),
    path("flags/representatives/pick/", RepresentativePickApi.as_view(), name="api-flags-pick"),
    path("flags/<int:pk>/", FlagDetailApi.as_view(), name="api-flag"),
    path("flags/<int:pk>/representative/", FlagRepresentativeApi.as_view(), name="api-flag-representative"),
    path("pattern-map/", PatternMapApi.as_view(), name="api-pattern-map"),
    path("calls/<int:pk>/analyse/", CallAnalyseApi.as_view(), name="api-call-analyse"),
]
