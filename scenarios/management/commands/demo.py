"""Run the whole chain on the demo calls in fixtures/demo and print what a user would see.

import three calls → flag each escalation → build a module → grade a good and a poor answer →
queue the scores for the gradebook → export the module as SCORM 1.2 → summary.
Idempotent: a second run reuses what the first stored.
"""

from __future__ import annotations

import json
from datetime import timedelta
from pathlib import Path
from typing import Any

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils import timezone

import rubrics.services as rubric_services
from deesc_lms.api_errors import DeescError
from deesc_lms.calls import services as call_services
from deesc_lms.calls.models import Agent, Call, EscalationFlag, fmt_mss
from deesc_lms.lti.models import GradeDelivery, Registration
from deesc_lms.packaging import services as packaging_services
from deesc_lms.packaging.models import Package
from rubrics.models import Grade
from scenarios import services as scenario_services
from scenarios.models import Attempt, Drill

FIXTURES = Path(settings.BASE_DIR) / "fixtures" / "demo"
DEMO_ADMIN = ("admin", "deesc-demo")
GOOD_ANSWER = (
    "I can hear how frustrating it is to call three times about the same charge — let me fix the $40 "
    "double charge now, and you'll see the refund by Friday."
)
POOR_ANSWER = "That's our policy, there's nothing I can do."


class Command(BaseCommand):
    help = "Run the whole chain on the demo calls and print a summary (flags, scores, files, URLs)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--json", action="store_true", help="Print the summary as JSON.")
        parser.add_argument("--fixtures", type=Path, default=FIXTURES, help="Folder of demo calls.")

    def handle(self, *args: Any, **options: Any) -> None:
        if getattr(settings, "PRODUCTION", False):
            raise CommandError("The demo creates a known admin password; it does not run with DEESC_PRODUCTION=1.")
        try:
            summary = self.run_chain(options["fixtures"])
        except DeescError as exc:
            raise CommandError(exc.message) from exc
        if options["json"]:
            self.stdout.write(json.dumps(summary, indent=2))
        else:
            self.print_summary(summary)

    def run_chain(self, folder: Path) -> dict[str, Any]:
        files = sorted(p for p in folder.glob("*") if p.is_file() and not p.name.startswith("."))
        if not files:
            raise CommandError(f"No demo calls in {folder}.")
        user_model = get_user_model()
        if not user_model.objects.filter(username=DEMO_ADMIN[0]).exists():
            user_model.objects.create_superuser(DEMO_ADMIN[0], "admin@example.com", DEMO_ADMIN[1])
        agent, _ = Agent.objects.get_or_create(
            external_id="demo-agent", defaults={"name": "Priya Shah", "team": "Billing"}
        )

        calls: list[Call] = []
        for number, path in enumerate(files):
            result = call_services.call_ingest(path=path, agent=agent)
            call = result.call
            if call.started_at is None:
                # The demo calls took place in the fortnight before the agent's training.
                call.started_at = timezone.now() - timedelta(days=14 - 4 * number)
                call.save(update_fields=["started_at"])
            if call.status != Call.Status.ANALYSED:
                call_services.call_analyse(call=call)
            call.refresh_from_db()
            calls.append(call)

        flags = list(EscalationFlag.objects.filter(call__in=calls).select_related("call").order_by("call_id", "time_s"))
        if not flags:
            raise CommandError("The detector flagged no escalation in the demo calls.")
        source = next((f for f in flags if f.outcome == EscalationFlag.Outcome.RECOVERED), flags[0])
        module = scenario_services.module_build(flag=source)

        rubric_services.rubrics_load_defaults()
        registration, _ = Registration.objects.get_or_create(
            issuer="http://127.0.0.1:9/demo-moodle",
            client_id="deesc-demo",
            defaults={
                "name": "Demo Moodle (not running)",
                "auth_login_url": "http://127.0.0.1:9/demo-moodle/auth",
                "auth_token_url": "http://127.0.0.1:9/demo-moodle/token",
                "deployment_ids": ["1"],
            },
        )
        # The real calls are scored with the same engine, so coaches see practice and calls side by side.
        for call in calls:
            if not Grade.objects.filter(call=call, source=Grade.Source.CALL).exists():
                rubric_services.call_grade(call=call)
        combined = module.drills.get(kind=Drill.Kind.COMBINED)
        launch = {
            "registration_id": registration.pk,
            "user_id": "demo-learner-1",
            "lineitem": "http://127.0.0.1:9/demo-moodle/lineitems/1/lineitem",
        }
        graded: list[dict[str, Any]] = []
        for label, answer in (("good", GOOD_ANSWER), ("poor", POOR_ANSWER)):
            attempt = combined.attempts.filter(answer_text=answer, agent=agent).first()
            if attempt is None:
                attempt = scenario_services.attempt_submit(
                    drill=combined, agent=agent, text=answer, channel=Attempt.Channel.LTI, lti_context=launch
                )
            grade = Grade.objects.filter(attempt=attempt).order_by("-created_at").first()
            if grade is None:
                raise CommandError(f"The {label} answer was stored but not graded: {attempt.failure_reason}")
            graded.append(
                {
                    "label": label,
                    "answer": answer,
                    "score": round(grade.score, 1),
                    "passed": grade.passed,
                    "feedback": grade.feedback,
                    "grade_id": grade.pk,
                }
            )

        package = module.packages.filter(
            standard=Package.Standard.SCORM12
        ).first() or packaging_services.package_export(module=module, standard=Package.Standard.SCORM12)
        deliveries = GradeDelivery.objects.filter(grade_id__in=[g["grade_id"] for g in graded]).order_by("pk")
        base = settings.DEESC_PUBLIC_URL
        return {
            "calls": [
                {
                    "id": c.pk,
                    "title": str(c),
                    "flags": [
                        {
                            "time": fmt_mss(f.time_s),
                            "trigger": f.trigger,
                            "stage": f.stage,
                            "outcome": f.outcome,
                            "excerpt": f.excerpt,
                        }
                        for f in flags
                        if f.call_id == c.pk
                    ],
                    "note": c.analysis_note,
                }
                for c in calls
            ],
            "module": {
                "slug": module.slug,
                "title": module.title,
                "drills": [d.title for d in module.drills.order_by("order")],
            },
            "grades": graded,
            "gradebook": [
                {
                    "id": d.pk,
                    "status": d.status,
                    "tries": d.tries,
                    "next_try": d.next_try_at.isoformat() if d.next_try_at else None,
                    "last_error": d.last_error,
                }
                for d in deliveries
            ],
            "package": {"path": package.file.path, "sha256": package.sha256, "bytes": package.size_bytes},
            "admin": {"url": f"{base}/admin/", "username": DEMO_ADMIN[0], "password": DEMO_ADMIN[1]},
            "urls": {
                "home": f"{base}/",
                "pattern_map": f"{base}/calls/patterns/",
                "api_docs": f"{base}/api/docs/",
                "learner": f"{base}/modules/{module.slug}/",
                "progress": f"{base}/progress/agents/{agent.pk}/",
            },
        }

    def print_summary(self, s: dict[str, Any]) -> None:
        w = self.stdout.write
        w(self.style.MIGRATE_HEADING("Calls and escalation flags"))
        for call in s["calls"]:
            w(f"  #{call['id']} {call['title']}")
            for f in call["flags"]:
                w(f'    {f["time"]:>6}  {f["trigger"]:<20} {f["stage"]:<12} {f["outcome"]:<13} "{f["excerpt"][:70]}"')
            if not call["flags"]:
                w(f"    no flag: {call['note']}")
        m = s["module"]
        w(self.style.MIGRATE_HEADING(f"Module: {m['title']} ({m['slug']})"))
        for i, title in enumerate(m["drills"], 1):
            w(f"  {i}. {title}")
        w(self.style.MIGRATE_HEADING("Grades (combined rubric)"))
        for g in s["grades"]:
            verdict = self.style.SUCCESS("passed") if g["passed"] else self.style.ERROR("not yet")
            w(f'  {g["label"]:<5} {g["score"]:>5.1f}/100 {verdict}  "{g["answer"][:60]}"')
        w(self.style.MIGRATE_HEADING("Gradebook outbox (LTI AGS)"))
        for d in s["gradebook"]:
            retry = f"; next try {d['next_try'][11:19]} UTC" if d["next_try"] else ""
            reason = f" ({d['last_error'].split(':')[0]})" if d["last_error"] else ""
            w(f"  delivery #{d['id']}: {d['status']} after {d['tries']} tries{reason}{retry}")
        w("  (the demo LMS is not running: scores wait in the outbox and are retried with backoff)")
        p = s["package"]
        w(self.style.MIGRATE_HEADING("SCORM 1.2 package"))
        w(f"  {p['path']} ({p['bytes']} bytes)")
        a = s["admin"]
        w(self.style.MIGRATE_HEADING("Open"))
        w(f"  {'admin':<12} {a['url']}  (login {a['username']} / {a['password']})")
        for name, url in s["urls"].items():
            w(f"  {name:<12} {url}")
