"""Admin for triggers and escalation flags: the taxonomy is edited here, and designers override
which flags are representative training examples."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import admin, messages
from django.db.models import QuerySet
from django.http import HttpRequest

from deesc_lms.calls.models import EscalationFlag, Trigger
from deesc_lms.calls.services.analysis import REPRESENTATIVE_CRITERIA, flags_pick_representative
from deesc_lms.calls.triggers import invalid_patterns


class TriggerForm(forms.ModelForm[Trigger]):
    class Meta:
        model = Trigger
        fields = ["slug", "name", "description", "keywords", "agent_keywords", "examples", "active"]

    def _patterns(self, field: str) -> list[str]:
        value = self.cleaned_data.get(field) or []
        if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
            raise forms.ValidationError("Give a JSON list of strings.")
        bad = invalid_patterns(value)
        if bad:
            raise forms.ValidationError("Not a valid regular expression: " + "; ".join(bad))
        return value

    def clean_keywords(self) -> list[str]:
        return self._patterns("keywords")

    def clean_agent_keywords(self) -> list[str]:
        return self._patterns("agent_keywords")

    def clean_examples(self) -> list[str]:
        value = self.cleaned_data.get("examples") or []
        if not isinstance(value, list) or not all(isinstance(v, str) and v.strip() for v in value):
            raise forms.ValidationError("Give a JSON list of example customer utterances.")
        return value


@admin.register(Trigger)
class TriggerAdmin(admin.ModelAdmin[Trigger]):
    form = TriggerForm
    list_display = ["slug", "name", "active", "keyword_count", "example_count"]
    list_filter = ["active"]
    search_fields = ["slug", "name", "description"]

    @admin.display(description="keywords")
    def keyword_count(self, obj: Trigger) -> int:
        return len(obj.keywords or []) + len(obj.agent_keywords or [])

    @admin.display(description="examples")
    def example_count(self, obj: Trigger) -> int:
        return len(obj.examples or [])


@admin.register(EscalationFlag)
class EscalationFlagAdmin(admin.ModelAdmin[EscalationFlag]):
    list_display = [
        "call",
        "time_mss",
        "trigger",
        "stage",
        "position",
        "outcome",
        "severity",
        "representative",
        "representative_override",
    ]
    list_filter = ["trigger", "stage", "position", "outcome", "representative", "representative_override"]
    list_editable = ["representative_override"]
    search_fields = ["excerpt", "agent_turn_before", "call__title"]
    list_select_related = ["call"]
    readonly_fields = [
        "call", "time_s", "severity", "trigger", "trigger_confidence", "stage", "position", "outcome", "excerpt",
        "agent_turn_before", "first_agent_response", "prevention_s", "redirect_language", "review",
        "representative", "representative_reason", "voice_used", "created_at",
    ]  # fmt: skip
    fields = ["representative_override", *readonly_fields]
    actions = ["always_include", "never_include", "clear_override", "repick"]

    def changelist_view(self, request: HttpRequest, extra_context: dict[str, Any] | None = None) -> Any:
        extra_context = {**(extra_context or {}), "subtitle": REPRESENTATIVE_CRITERIA}
        return super().changelist_view(request, extra_context)

    def save_model(self, request: HttpRequest, obj: EscalationFlag, form: Any, change: bool) -> None:
        super().save_model(request, obj, form, change)
        flags_pick_representative(trigger=obj.trigger)

    def _override(self, request: HttpRequest, queryset: QuerySet[EscalationFlag], choice: bool | None) -> None:
        triggers = set(queryset.values_list("trigger", flat=True))
        queryset.update(representative_override=choice)
        for trigger in triggers:
            flags_pick_representative(trigger=trigger)
        self.message_user(
            request, f"Updated; representatives re-picked for {len(triggers)} trigger(s).", messages.SUCCESS
        )

    @admin.action(description="Always use as a representative example")
    def always_include(self, request: HttpRequest, queryset: QuerySet[EscalationFlag]) -> None:
        self._override(request, queryset, True)

    @admin.action(description="Never use as a representative example")
    def never_include(self, request: HttpRequest, queryset: QuerySet[EscalationFlag]) -> None:
        self._override(request, queryset, False)

    @admin.action(description="Let the criteria decide")
    def clear_override(self, request: HttpRequest, queryset: QuerySet[EscalationFlag]) -> None:
        self._override(request, queryset, None)

    @admin.action(description="Re-pick representatives for these triggers")
    def repick(self, request: HttpRequest, queryset: QuerySet[EscalationFlag]) -> None:
        for trigger in set(queryset.values_list("trigger", flat=True)):
            flags_pick_representative(trigger=trigger)
