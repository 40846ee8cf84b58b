"""Admin for instructional designers: rubrics, versions (draft → publish), criteria with their
levels and detectors, a "try it" page, YAML import/export, version history with a diff, grades,
and coach calibration (Cohen's kappa, confusion matrices, disagreements).

Published versions are read-only here: editing starts a new draft. Every answer and evidence
quote is rendered escaped (answers are untrusted text).
"""

from __future__ import annotations

import difflib
import hashlib
import json
from typing import Any

from django import forms
from django.contrib import admin, messages
from django.core.cache import cache
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import get_object_or_404
from django.template.response import TemplateResponse
from django.urls import URLPattern, path, reverse
from django.utils.html import escape, format_html, format_html_join
from django.utils.safestring import SafeString, mark_safe

from deesc_lms.api_errors import DeescError
from rubrics import calibration, selectors, services, yaml_io
from rubrics.calibration import CalibrationItem
from rubrics.detectors import DETECTORS
from rubrics.models import CalibrationSample, CoachScore, Criterion, Detector, Grade, Level, Rubric, RubricVersion

MAX_TRY_CHARS = 5000


def highlight(text: str, evidence: list[dict[str, Any]]) -> SafeString:
    """The text, escaped, with each evidence span wrapped in <mark>."""
    spans = sorted(
        (int(e["start"]), int(e["end"]))
        for e in evidence
        if isinstance(e.get("start"), int) and isinstance(e.get("end"), int) and 0 <= e["start"] < e["end"] <= len(text)
    )
    merged: list[tuple[int, int]] = []
    for a, b in spans:
        if merged and a <= merged[-1][1]:
            merged[-1] = (merged[-1][0], max(b, merged[-1][1]))
        else:
            merged.append((a, b))
    out: list[str] = []
    pos = 0
    for a, b in merged:
        out.append(escape(text[pos:a]))
        out.append(f"<mark>{escape(text[a:b])}</mark>")
        pos = b
    out.append(escape(text[pos:]))
    return mark_safe("".join(out))  # noqa: S308 - every piece above is escaped


def results_table(text: str, results: list[dict[str, Any]]) -> SafeString:
    rows = []
    for r in results:
        evidence = r.get("evidence") or []
        quotes = format_html_join(
            "",
            "<li>{}{}</li>",
            ((e.get("text", ""), f" ({e['start_s']:.1f}s)" if "start_s" in e else "") for e in evidence),
        )
        rows.append(
            format_html(
                "<tr><td><b>{}</b><br><small>{}</small></td><td>{}</td><td>{} / {}</td><td>{}<ul>{}</ul></td><td>{}</td></tr>",
                r.get("name", r["slug"]),
                r["slug"],
                r.get("level", ""),
                r.get("points", 0),
                r.get("max_points", ""),
                highlight(text, evidence) if evidence else "",
                quotes,
                r.get("feedback", ""),
            )
        )
    head = "<table><thead><tr><th>criterion</th><th>level</th><th>points</th><th>evidence</th><th>feedback</th></tr></thead>"
    return mark_safe(head + "<tbody>" + "".join(rows) + "</tbody></table>")  # noqa: S308 - rows are format_html


# --- rubric versions: criteria, levels, detectors ---------------------------------------------


def _published(version: RubricVersion | None) -> bool:
    return bool(version and version.is_published)


class ReadOnlyWhenPublished:
    """Inlines and admins whose objects freeze once their version is published."""

    def _version_of(self, obj: Any) -> RubricVersion | None:
        if obj is None:
            return None
        if isinstance(obj, RubricVersion):
            return obj
        if isinstance(obj, Criterion):
            return obj.version
        return None

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        if _published(self._version_of(obj)):
            return False
        return super().has_change_permission(request, obj)  # type: ignore[misc]

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        if _published(self._version_of(obj)):
            return False
        if isinstance(self, admin.options.InlineModelAdmin):
            return super().has_add_permission(request, obj)  # type: ignore[misc]
        return super().has_add_permission(request)  # type: ignore[misc]

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        if _published(self._version_of(obj)):
            return False
        return super().has_delete_permission(request, obj)  # type: ignore[misc]


class CriterionInline(ReadOnlyWhenPublished, admin.TabularInline[Criterion, RubricVersion]):
    model = Criterion
    extra = 0
    fields = ["order", "slug", "name", "weight", "steps", "critical", "combine"]
    show_change_link = True


class DetectorForm(forms.ModelForm[Detector]):
    class Meta:
        model = Detector
        fields = ["order", "kind", "role", "weight", "config"]

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        kind = data.get("kind")
        config = data.get("config") or {}
        if kind and kind not in DETECTORS:
            raise forms.ValidationError(f"Unknown detector kind {kind!r}.")
        if not isinstance(config, dict):
            raise forms.ValidationError("The config must be a JSON object.")
        probe = {
            "slug": "probe",
            "criteria": [
                {
                    "slug": "probe",
                    "levels": [{"points": 0}, {"points": 1, "min_score": 0.5}],
                    "detectors": [{"kind": kind, "config": config, "role": data.get("role", "score")}],
                }
            ],
        }
        try:
            yaml_io.document_check(probe)
        except yaml_io.RubricDocumentError as exc:
            raise forms.ValidationError(str(exc).replace("criteria[0].detectors[0].", "")) from exc
        return data


class LevelInline(ReadOnlyWhenPublished, admin.StackedInline[Level, Criterion]):
    model = Level
    extra = 0
    fields = [("points", "label", "min_score"), "descriptor", "examples"]


class DetectorInline(ReadOnlyWhenPublished, admin.StackedInline[Detector, Criterion]):
    model = Detector
    form = DetectorForm
    extra = 0
    fields = [("order", "kind", "role", "weight"), "config"]


@admin.register(Criterion)
class CriterionAdmin(ReadOnlyWhenPublished, admin.ModelAdmin[Criterion]):
    list_display = ["name", "slug", "version", "weight", "critical"]
    list_filter = ["version__rubric"]
    search_fields = ["slug", "name", "behaviour"]
    fields = ["version", "order", "slug", "name", "behaviour", "weight", "steps", "critical", "combine"]
    inlines = [LevelInline, DetectorInline]

    def get_readonly_fields(self, request: HttpRequest, obj: Criterion | None = None) -> list[str]:
        return ["version"] if obj is not None else []

    def formfield_for_foreignkey(self, db_field: Any, request: HttpRequest, **kwargs: Any) -> Any:
        if db_field.name == "version":
            kwargs["queryset"] = RubricVersion.objects.filter(status=RubricVersion.Status.DRAFT)
        return super().formfield_for_foreignkey(db_field, request, **kwargs)


class TryForm(forms.Form):
    answer = forms.CharField(widget=forms.Textarea(attrs={"rows": 5, "cols": 90}), max_length=MAX_TRY_CHARS)
    customer_line = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 2, "cols": 90}), required=False, help_text="What the customer said."
    )


@admin.register(RubricVersion)
class RubricVersionAdmin(ReadOnlyWhenPublished, admin.ModelAdmin[RubricVersion]):
    list_display = ["rubric", "number", "status", "short_hash", "published_at", "grades_count"]
    list_filter = ["status", "rubric"]
    fields = [
        "rubric",
        "number",
        "status",
        "pass_threshold",
        "change_note",
        "model_answers",
        "content_hash",
        "based_on",
        "published_at",
    ]
    readonly_fields = ["rubric", "number", "status", "content_hash", "based_on", "published_at"]
    inlines = [CriterionInline]
    actions = ["publish_selected", "draft_from_selected", "export_selected"]
    change_form_template = "admin/rubrics/rubricversion/change_form.html"

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False  # versions come from import, "new draft" or the defaults

    @admin.display(description="hash")
    def short_hash(self, version: RubricVersion) -> str:
        return version.content_hash[:12]

    @admin.display(description="grades")
    def grades_count(self, version: RubricVersion) -> int:
        return version.grades.count()

    def get_urls(self) -> list[URLPattern]:
        urls = super().get_urls()
        own = [
            path("<int:pk>/try/", self.admin_site.admin_view(self.try_view), name="rubrics_rubricversion_try"),
            path(
                "<int:pk>/publish/", self.admin_site.admin_view(self.publish_view), name="rubrics_rubricversion_publish"
            ),
            path("<int:pk>/draft/", self.admin_site.admin_view(self.draft_view), name="rubrics_rubricversion_draft"),
            path("<int:pk>/export/", self.admin_site.admin_view(self.export_view), name="rubrics_rubricversion_export"),
        ]
        return own + urls

    def try_view(self, request: HttpRequest, pk: int) -> HttpResponse:
        version = get_object_or_404(RubricVersion.objects.select_related("rubric"), pk=pk)
        if not self.has_view_permission(request, version):
            return HttpResponse(status=403)
        form = TryForm(request.POST or None)
        result = None
        error = ""
        if request.method == "POST" and form.is_valid():
            try:
                spec = selectors.version_spec(version)
                graded = services.answer_evaluate(
                    spec=spec, text=form.cleaned_data["answer"], customer_line=form.cleaned_data["customer_line"]
                )
                result = {
                    "score": graded.score,
                    "passed": graded.passed,
                    "feedback": graded.feedback,
                    "better_line": graded.better_line,
                    "table": results_table(form.cleaned_data["answer"].strip(), graded.results()),
                    "answer": highlight(
                        form.cleaned_data["answer"].strip(), [e for c in graded.results() for e in c["evidence"]]
                    ),
                }
            except (DeescError, ValueError) as exc:
                error = getattr(exc, "message", str(exc))
        context = {
            **self.admin_site.each_context(request),
            "title": f"Try {version}",
            "version": version,
            "form": form,
            "result": result,
            "error": error,
            "opts": self.model._meta,
        }
        return TemplateResponse(request, "admin/rubrics/try.html", context)

    def publish_view(self, request: HttpRequest, pk: int) -> HttpResponse:
        version = get_object_or_404(RubricVersion, pk=pk)
        if request.method != "POST" or not super().has_change_permission(request, version):
            return HttpResponse(status=405 if request.method != "POST" else 403)
        self._publish(request, version)
        return HttpResponseRedirect(reverse("admin:rubrics_rubricversion_change", args=[version.pk]))

    def draft_view(self, request: HttpRequest, pk: int) -> HttpResponse:
        version = get_object_or_404(RubricVersion.objects.select_related("rubric"), pk=pk)
        if request.method != "POST" or not super().has_change_permission(request, None):
            return HttpResponse(status=405 if request.method != "POST" else 403)
        try:
            draft = services.rubric_version_draft(rubric=version.rubric)
        except DeescError as exc:
            messages.error(request, exc.message)
            return HttpResponseRedirect(reverse("admin:rubrics_rubricversion_change", args=[version.pk]))
        messages.success(request, f"Editing {draft}: publish it when it is ready.")
        return HttpResponseRedirect(reverse("admin:rubrics_rubricversion_change", args=[draft.pk]))

    def export_view(self, request: HttpRequest, pk: int) -> HttpResponse:
        version = get_object_or_404(RubricVersion.objects.select_related("rubric"), pk=pk)
        if not self.has_view_permission(request, version):
            return HttpResponse(status=403)
        response = HttpResponse(
            yaml_io.dump(selectors.version_document(version)), content_type="application/yaml; charset=utf-8"
        )
        response["Content-Disposition"] = f'attachment; filename="{version.rubric.slug}-v{version.number}.yaml"'
        return response

    def _publish(self, request: HttpRequest, version: RubricVersion) -> None:
        try:
            services.rubric_version_publish(version=version)
        except DeescError as exc:
            messages.error(request, exc.message)
            return
        messages.success(request, f"Published {version.rubric.slug} v{version.number}.")

    @admin.action(description="Publish the selected drafts")
    def publish_selected(self, request: HttpRequest, queryset: QuerySet[RubricVersion]) -> None:
        for version in queryset.filter(status=RubricVersion.Status.DRAFT):
            self._publish(request, version)

    @admin.action(description="Start a new draft from the selected rubrics")
    def draft_from_selected(self, request: HttpRequest, queryset: QuerySet[RubricVersion]) -> None:
        for rubric_id in set(queryset.values_list("rubric", flat=True)):
            draft = services.rubric_version_draft(rubric=Rubric.objects.get(pk=rubric_id))
            messages.success(request, f"Draft ready: {draft}.")

    @admin.action(description="Export the selected versions as YAML")
    def export_selected(self, request: HttpRequest, queryset: QuerySet[RubricVersion]) -> HttpResponse:
        docs = [selectors.version_document(v) for v in queryset.select_related("rubric")]
        response = HttpResponse(
            "---\n".join(yaml_io.dump(d) for d in docs), content_type="application/yaml; charset=utf-8"
        )
        response["Content-Disposition"] = 'attachment; filename="rubrics.yaml"'
        return response


# --- rubrics: history, diff, import, calibration ----------------------------------------------


class VersionInline(admin.TabularInline[RubricVersion, Rubric]):
    model = RubricVersion
    extra = 0
    fields = ["number", "status", "pass_threshold", "content_hash", "published_at", "change_note"]
    readonly_fields = ["number", "status", "pass_threshold", "content_hash", "published_at", "change_note"]
    show_change_link = True
    can_delete = False

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


class ImportForm(forms.Form):
    document = forms.CharField(widget=forms.Textarea(attrs={"rows": 20, "cols": 100}), required=False, label="YAML")
    file = forms.FileField(required=False, help_text="…or a .yaml file.")
    publish = forms.BooleanField(required=False, help_text="Publish at once (otherwise it becomes a draft).")
    change_note = forms.CharField(required=False)


@admin.register(Rubric)
class RubricAdmin(admin.ModelAdmin[Rubric]):
    list_display = ["slug", "name", "current", "draft"]
    search_fields = ["slug", "name"]
    inlines = [VersionInline]
    change_form_template = "admin/rubrics/rubric/change_form.html"
    change_list_template = "admin/rubrics/rubric/change_list.html"

    @admin.display(description="published")
    def current(self, rubric: Rubric) -> str:
        version = rubric.versions.filter(status=RubricVersion.Status.PUBLISHED).order_by("-number").first()
        return f"v{version.number}" if version else "-"

    @admin.display(description="draft")
    def draft(self, rubric: Rubric) -> str:
        version = selectors.version_draft(rubric=rubric)
        return f"v{version.number}" if version else ""

    def get_urls(self) -> list[URLPattern]:
        own = [
            path("import/", self.admin_site.admin_view(self.import_view), name="rubrics_rubric_import"),
            path("<int:pk>/history/", self.admin_site.admin_view(self.history_diff_view), name="rubrics_rubric_diff"),
            path(
                "<int:pk>/calibration/",
                self.admin_site.admin_view(self.calibration_view),
                name="rubrics_rubric_calibration",
            ),
        ]
        return own + super().get_urls()

    def import_view(self, request: HttpRequest) -> HttpResponse:
        if not self.has_add_permission(request):
            return HttpResponse(status=403)
        form = ImportForm(request.POST or None, request.FILES or None)
        if request.method == "POST" and form.is_valid():
            text = form.cleaned_data["document"] or ""
            upload = form.cleaned_data.get("file")
            if upload is not None:
                text = upload.read(yaml_io.MAX_DOCUMENT_BYTES + 1).decode("utf-8", "replace")
            try:
                doc = yaml_io.parse(text)
                version = services.rubric_version_from_document(
                    doc=doc, publish=form.cleaned_data["publish"], change_note=form.cleaned_data["change_note"]
                )
            except yaml_io.RubricDocumentError as exc:
                form.add_error(None, str(exc))
            except DeescError as exc:
                form.add_error(None, exc.message)
            else:
                messages.success(request, f"Imported {version}.")
                return HttpResponseRedirect(reverse("admin:rubrics_rubricversion_change", args=[version.pk]))
        context = {
            **self.admin_site.each_context(request),
            "title": "Import a rubric (YAML)",
            "form": form,
            "opts": self.model._meta,
        }
        return TemplateResponse(request, "admin/rubrics/import.html", context)

    def history_diff_view(self, request: HttpRequest, pk: int) -> HttpResponse:
        rubric = get_object_or_404(Rubric, pk=pk)
        if not self.has_view_permission(request, rubric):
            return HttpResponse(status=403)
        versions = list(rubric.versions.order_by("-number"))
        by_number = {v.number: v for v in versions}
        newer = by_number.get(_int(request.GET.get("b")) or 0) or (versions[0] if versions else None)
        older = by_number.get(_int(request.GET.get("a")) or 0)
        if older is None and newer is not None:
            older = next((v for v in versions if v.number < newer.number), newer)
        diff_rows: list[tuple[str, str]] = []
        if older is not None and newer is not None:
            a = yaml_io.dump(selectors.version_document(older)).splitlines()
            b = yaml_io.dump(selectors.version_document(newer)).splitlines()
            for line in difflib.unified_diff(a, b, f"v{older.number}", f"v{newer.number}", lineterm="", n=3):
                kind = (
                    "add"
                    if line.startswith("+")
                    else "del"
                    if line.startswith("-")
                    else "hunk"
                    if line.startswith("@@")
                    else ""
                )
                diff_rows.append((kind, line))
        context = {
            **self.admin_site.each_context(request),
            "title": f"{rubric.slug}: versions and changes",
            "rubric": rubric,
            "versions": versions,
            "older": older,
            "newer": newer,
            "diff_rows": diff_rows,
            "opts": self.model._meta,
        }
        return TemplateResponse(request, "admin/rubrics/history.html", context)

    def calibration_view(self, request: HttpRequest, pk: int) -> HttpResponse:
        rubric = get_object_or_404(Rubric, pk=pk)
        if not self.has_view_permission(request, rubric):
            return HttpResponse(status=403)
        try:
            version = selectors.version_current(slug=rubric.slug)
        except DeescError as exc:
            messages.error(request, exc.message)
            return HttpResponseRedirect(reverse("admin:rubrics_rubric_change", args=[rubric.pk]))
        spec = selectors.version_spec(version)
        samples = list(rubric.calibration_samples.prefetch_related("coach_scores"))
        items = []
        for sample in samples:
            by_coach: dict[str, dict[str, int]] = {}
            for score in sample.coach_scores.all():
                by_coach.setdefault(score.coach_name, {})[score.criterion_slug] = score.points
            for coach, labels in by_coach.items():
                items.append(
                    CalibrationItem(
                        f"{sample.key} ({coach})",
                        rubric.slug,
                        sample.customer_line,
                        sample.answer_text,
                        sample.kind,
                        labels,
                    )
                )

        def engine(item: CalibrationItem) -> dict[str, tuple[int, list[str]]]:
            digest = hashlib.sha256(f"{item.customer}\x00{item.answer}".encode()).hexdigest()[:24]
            key = f"rubrics:calibration:{version.pk}:{version.content_hash}:{digest}"
            cached = cache.get(key)
            if cached is None:
                try:
                    graded = services.answer_evaluate(spec=spec, text=item.answer, customer_line=item.customer)
                except DeescError:
                    cached = {}
                else:
                    cached = {
                        c.slug: (c.points, [e["text"] for e in c.evidence]) for c in graded.criteria if c.assessed
                    }
                cache.set(key, cached, 24 * 3600)
            return dict(cached)

        report = calibration.agreement(items, engine)
        rows = []
        for row in report.values():
            matrix = [(level, counts) for level, counts in zip(row.levels, row.matrix, strict=True)]
            rows.append({"row": row, "matrix": matrix, "ok": row.kappa >= 0.8})
        context = {
            **self.admin_site.each_context(request),
            "title": f"Calibration: {rubric.slug} v{version.number}",
            "rubric": rubric,
            "version": version,
            "rows": rows,
            "samples": len(samples),
            "opts": self.model._meta,
        }
        return TemplateResponse(request, "admin/rubrics/calibration.html", context)


def _int(raw: str | None) -> int | None:
    try:
        return int(raw) if raw else None
    except ValueError:
        return None


# --- grades and calibration samples -----------------------------------------------------------


@admin.register(Grade)
class GradeAdmin(admin.ModelAdmin[Grade]):
    list_display = ["id", "source", "rubric_version", "score", "passed", "attempt", "call", "created_at"]
    list_filter = ["source", "passed", "rubric_version__rubric"]
    readonly_fields = [
        "source",
        "attempt",
        "call",
        "rubric_version",
        "score",
        "passed",
        "answer_text",
        "customer_line",
        "criteria",
        "feedback",
        "better_line",
        "feedback_audio",
        "voice",
        "created_at",
    ]
    fields = list(readonly_fields)

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Grade | None = None) -> bool:
        return False

    @admin.display(description="criteria and evidence")
    def criteria(self, grade: Grade) -> SafeString:
        return results_table(grade.answer_text, grade.results or [])

    @admin.display(description="voice")
    def voice(self, grade: Grade) -> str:
        return json.dumps((grade.transcript or {}).get("voice") or {}, indent=1)


class CoachScoreInline(admin.TabularInline[CoachScore, CalibrationSample]):
    model = CoachScore
    extra = 1
    fields = ["criterion_slug", "points", "coach_name", "note"]

    def get_formset(self, request: HttpRequest, obj: Any = None, **kwargs: Any) -> Any:
        formset = super().get_formset(request, obj, **kwargs)
        formset.form.base_fields["coach_name"].initial = request.user.get_username()
        return formset


@admin.register(CalibrationSample)
class CalibrationSampleAdmin(admin.ModelAdmin[CalibrationSample]):
    list_display = ["key", "rubric", "kind", "answer_preview"]
    list_filter = ["rubric", "kind"]
    search_fields = ["key", "answer_text", "customer_line"]
    inlines = [CoachScoreInline]

    @admin.display(description="answer")
    def answer_preview(self, sample: CalibrationSample) -> str:
        return sample.answer_text[:100]

    def save_formset(self, request: HttpRequest, form: Any, formset: Any, change: bool) -> None:
        for inline_form in formset.forms:
            instance = getattr(inline_form, "instance", None)
            if isinstance(instance, CoachScore) and instance.coach_id is None and request.user.is_authenticated:
                if instance.coach_name == request.user.get_username():
                    instance.coach = request.user
        super().save_formset(request, form, formset, change)
