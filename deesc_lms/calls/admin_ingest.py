"""Admin for agents, calls and utterances: upload, status, and correcting who said what."""

from __future__ import annotations

import shutil
import tempfile
from pathlib import Path
from typing import Any

from django import forms
from django.conf import settings
from django.contrib import admin, messages
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.template.response import TemplateResponse
from django.urls import URLPattern, path, reverse

from deesc_lms.api_errors import DeescError
from deesc_lms.calls.models import Agent, Call, Utterance, fmt_mss
from deesc_lms.calls.services import call_ingest, call_roles_swap


@admin.register(Agent)
class AgentAdmin(admin.ModelAdmin[Agent]):
    list_display = ["name", "team", "email", "external_id", "created_at"]
    search_fields = ["name", "email", "external_id"]
    list_filter = ["team"]


class UtteranceInline(admin.TabularInline[Utterance, Call]):
    model = Utterance
    extra = 0
    fields = ["index", "at", "role", "speaker", "channel", "text"]
    readonly_fields = ["index", "at", "speaker", "channel", "text"]
    ordering = ["index"]
    can_delete = False

    @admin.display(description="at")
    def at(self, utterance: Utterance) -> str:
        return fmt_mss(utterance.start_s)


class UploadForm(forms.Form):
    file = forms.FileField(help_text="A recording (wav, mp3, m4a, flac, ogg...) or transcript (json, vtt, srt, txt).")
    agent = forms.ModelChoiceField(queryset=Agent.objects.all(), required=False)
    channel_roles = forms.CharField(
        required=False, initial="agent,customer", help_text="Role of each channel of a dual-channel recording."
    )


@admin.register(Call)
class CallAdmin(admin.ModelAdmin[Call]):
    list_display = [
        "__str__",
        "agent",
        "source",
        "status",
        "duration",
        "channels",
        "diarization",
        "asr_rtf",
        "created_at",
    ]
    list_filter = ["status", "source", "diarization", "asr_engine"]
    search_fields = ["title", "original_name", "content_hash"]
    readonly_fields = [
        "content_hash",
        "status",
        "failure_reason",
        "source",
        "media",
        "duration",
        "channels",
        "sample_rate",
        "input_format",
        "diarization",
        "asr_engine",
        "asr_model",
        "asr_seconds",
        "asr_rtf",
        "asr_attempts",
        "transcription_started_at",
        "transcribed_at",
    ]
    fields = ["title", "agent", "started_at", "channel_roles", *readonly_fields]
    inlines = [UtteranceInline]
    actions = ["swap_roles"]
    change_list_template = "admin/calls/call/change_list.html"

    @admin.display(description="duration")
    def duration(self, call: Call) -> str:
        return fmt_mss(call.duration_s)

    @admin.action(description="Swap agent and customer (speakers were assigned the wrong way round)")
    def swap_roles(self, request: HttpRequest, queryset: QuerySet[Call]) -> None:
        changed = sum(call_roles_swap(call=call) for call in queryset)
        self.message_user(request, f"Swapped roles on {changed} utterance(s).", messages.SUCCESS)

    def get_urls(self) -> list[URLPattern]:
        upload = path("upload/", self.admin_site.admin_view(self.upload_view), name="calls_call_upload")
        return [upload, *super().get_urls()]

    def upload_view(self, request: HttpRequest) -> HttpResponse:
        form = UploadForm(request.POST or None, request.FILES or None)
        if request.method == "POST" and form.is_valid():
            upload = form.cleaned_data["file"]
            if upload.size > settings.DEESC_MAX_UPLOAD_BYTES:
                form.add_error("file", f"Over the {settings.DEESC_MAX_UPLOAD_BYTES / 1e6:.0f} MB limit.")
            else:
                folder = Path(tempfile.mkdtemp(prefix="deesc-admin-upload-"))
                try:
                    stored = folder / Path(upload.name).name
                    with stored.open("wb") as out:
                        for chunk in upload.chunks():
                            out.write(chunk)
                    roles = [r for r in form.cleaned_data["channel_roles"].split(",") if r.strip()] or None
                    result = call_ingest(
                        path=stored, agent=form.cleaned_data["agent"], original_name=upload.name, channel_roles=roles
                    )
                except DeescError as exc:
                    form.add_error("file", exc.message)
                else:
                    verb = "Ingested" if result.created else "Already ingested"
                    self.message_user(request, f"{verb}: {result.call} ({result.call.get_status_display()}).")
                    return HttpResponseRedirect(reverse("admin:calls_call_change", args=[result.call.pk]))
                finally:
                    shutil.rmtree(folder, ignore_errors=True)
        context: dict[str, Any] = {
            **self.admin_site.each_context(request),
            "title": "Upload a call",
            "form": form,
            "opts": self.model._meta,
        }
        return TemplateResponse(request, "admin/calls/call/upload.html", context)
