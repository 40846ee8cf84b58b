from __future__ import annotations

from django.contrib import admin, messages
from django.db.models import QuerySet
from django.http import HttpRequest

from deesc_lms.api_errors import DeescError
from scenarios.models import Attempt, Clip, Drill, Module, RolePlay


class DrillInline(admin.StackedInline[Drill, Module]):
    model = Drill
    extra = 0
    fields = [
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


class ClipInline(admin.TabularInline[Clip, Module]):
    model = Clip
    extra = 0
    fields = ["call", "start_s", "end_s", "audio", "transcript"]
    raw_id_fields = ["call"]


@admin.register(Module)
class ModuleAdmin(admin.ModelAdmin[Module]):
    list_display = ["title", "slug", "trigger", "status", "pass_threshold", "created_at"]
    list_filter = ["status", "trigger"]
    search_fields = ["title", "slug"]
    raw_id_fields = ["source_flag"]
    inlines = [ClipInline, DrillInline]
    actions = ["export_scorm12", "export_scorm2004", "publish"]

    @admin.action(description="Publish the selected modules")
    def publish(self, request: HttpRequest, queryset: QuerySet[Module]) -> None:
        count = queryset.update(status=Module.Status.PUBLISHED)
        self.message_user(request, f"{count} module(s) published.")

    def _export(self, request: HttpRequest, queryset: QuerySet[Module], standard: str) -> None:
        from deesc_lms.packaging.services import package_export  # packaging sits above scenarios

        for module in queryset:
            try:
                package = package_export(module=module, standard=standard)
            except DeescError as exc:
                self.message_user(request, f"{module}: {exc.message}", level=messages.ERROR)
                continue
            self.message_user(request, f"{module}: package {package.file.name} ({package.size_bytes} bytes).")

    @admin.action(description="Export as SCORM 1.2")
    def export_scorm12(self, request: HttpRequest, queryset: QuerySet[Module]) -> None:
        self._export(request, queryset, "scorm12")

    @admin.action(description="Export as SCORM 2004")
    def export_scorm2004(self, request: HttpRequest, queryset: QuerySet[Module]) -> None:
        self._export(request, queryset, "scorm2004")


@admin.register(Attempt)
class AttemptAdmin(admin.ModelAdmin[Attempt]):
    list_display = ["id", "drill", "agent", "channel", "status", "created_at"]
    list_filter = ["status", "channel"]
    search_fields = ["answer_text", "agent__name"]
    raw_id_fields = ["drill", "agent"]
    readonly_fields = ["created_at", "transcript", "lti_context"]


@admin.register(RolePlay)
class RolePlayAdmin(admin.ModelAdmin[RolePlay]):
    list_display = ["id", "drill", "agent", "status", "frustration", "created_at", "finished_at"]
    list_filter = ["status"]
    raw_id_fields = ["drill", "agent"]
    readonly_fields = ["turns", "created_at", "finished_at"]
