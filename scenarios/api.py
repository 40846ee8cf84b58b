"""Modules and drills (read), building a module from a flag, and submitting an attempt."""

from __future__ import annotations

from django.shortcuts import get_object_or_404
from django.urls import path
from drf_spectacular.utils import extend_schema
from rest_framework import generics, status
from rest_framework.parsers import FormParser, JSONParser, MultiPartParser
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from deesc_lms.api_errors import NotFound
from deesc_lms.calls.models import Agent, EscalationFlag
from scenarios import services
from scenarios.models import Drill, Module
from scenarios.serializers import AttemptIn, AttemptOut, ModuleBuildIn, ModuleOut


class ModuleList(generics.ListAPIView[Module]):
    serializer_class = ModuleOut
    queryset = Module.objects.prefetch_related("drills", "clips").order_by("-created_at", "-id")


class ModuleDetail(generics.RetrieveAPIView[Module]):
    serializer_class = ModuleOut
    lookup_field = "slug"
    queryset = Module.objects.prefetch_related("drills", "clips")


class ModuleBuild(APIView):
    @extend_schema(request=ModuleBuildIn, responses={201: ModuleOut})
    def post(self, request: Request) -> Response:
        body = ModuleBuildIn(data=request.data)
        body.is_valid(raise_exception=True)
        flag = EscalationFlag.objects.filter(pk=body.validated_data["flag"]).first()
        if flag is None:
            raise NotFound("No escalation flag with this id.")
        module = services.module_build(flag=flag)
        return Response(ModuleOut(module).data, status=status.HTTP_201_CREATED)


class AttemptCreate(APIView):
    parser_classes = [JSONParser, MultiPartParser, FormParser]

    @extend_schema(request=AttemptIn, responses={202: AttemptOut})
    def post(self, request: Request, drill_id: int) -> Response:
        drill = get_object_or_404(Drill, pk=drill_id)
        body = AttemptIn(data=request.data)
        body.is_valid(raise_exception=True)
        agent = None
        if body.validated_data["agent"] is not None:
            agent = Agent.objects.filter(pk=body.validated_data["agent"]).first()
            if agent is None:
                raise NotFound("No agent with this id.")
        attempt = services.attempt_submit(
            drill=drill, agent=agent, text=body.validated_data["text"], audio=body.validated_data["audio"]
        )
        attempt.refresh_from_db()
        headers = {"Location": f"/api/attempts/{attempt.pk}"}
        return Response(AttemptOut(attempt).data, status=status.HTTP_202_ACCEPTED, headers=headers)


urlpatterns = [
    path("modules/", ModuleList.as_view(), name="module-list"),
    path("modules/build", ModuleBuild.as_view(), name="module-build"),
    path("modules/<slug:slug>", ModuleDetail.as_view(), name="module-detail"),
    path("drills/<int:drill_id>/attempts", AttemptCreate.as_view(), name="attempt-create"),
]
