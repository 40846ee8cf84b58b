from django.db import connection
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render

from deesc_lms.calls.models import Call, EscalationFlag
from scenarios.models import Module


def home(request: HttpRequest) -> HttpResponse:
    return render(
        request,
        "home.html",
        {
            "calls": Call.objects.count(),
            "flags": EscalationFlag.objects.count(),
            "modules": Module.objects.order_by("-created_at")[:20],
            "recent_flags": EscalationFlag.objects.select_related("call").order_by("-created_at", "-id")[:10],
        },
    )


def healthz(request: HttpRequest) -> JsonResponse:
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
    return JsonResponse({"status": "ok"})
