"""Exporting a module as a SCORM package, and grading answers sent by a package's player."""

from __future__ import annotations

import hashlib
import io
import json
import logging
import re
import zipfile
from dataclasses import dataclass
from pathlib import Path

from django.conf import settings
from django.core.files.base import ContentFile
from django.db import transaction

from deesc_lms.api_errors import DeescError, NotFound
from deesc_lms.calls.models import Agent
from deesc_lms.packaging import manifest
from deesc_lms.packaging.models import Package
from rubrics.models import Grade
from scenarios import services as scenario_services
from scenarios.models import Attempt, Drill, Module

logger = logging.getLogger(__name__)
PLAYER_DIR = Path(__file__).parent / "player"
PLAYER_FILES = ("index.html", "player.js", "player.css")
# Drills a package grades; the role-play needs a live conversation and stays in the web player.
PACKAGED_KINDS = (Drill.Kind.STEP, Drill.Kind.COMBINED)


def _identifier(slug: str) -> str:
    """An XML NCName from a slug (manifest identifiers may not start with a digit)."""
    return "deesc-" + re.sub(r"[^A-Za-z0-9_.-]", "-", slug)


def module_player_data(*, module: Module, standard: str, grade_url: str, clip_audio: str | None) -> dict[str, object]:
    drills = module.drills.filter(kind__in=PACKAGED_KINDS).order_by("order")
    clip = module.clips.first()
    return {
        "slug": module.slug,
        "title": module.title,
        "summary": module.summary,
        "standard": standard,
        "pass_threshold": module.pass_threshold,
        "grade_url": grade_url,
        "clip": {"transcript": clip.transcript, "audio": clip_audio} if clip else None,
        "drills": [
            {
                "order": d.order,
                "kind": d.kind,
                "step": d.step,
                "title": d.title,
                "instructions": d.instructions,
                "customer_line": d.customer_line,
                "graded": True,
            }
            for d in drills
        ],
    }


@transaction.atomic
def package_export(*, module: Module, standard: str = Package.Standard.SCORM12) -> Package:
    """Write the module as a SCORM zip (imsmanifest.xml at its root) and store it.

    Raises DeescError for an unknown standard or a module without drills."""
    if standard not in Package.Standard.values:
        raise DeescError(f"Unknown package standard {standard!r}; choose one of {', '.join(Package.Standard.values)}.")
    if not module.drills.filter(kind__in=PACKAGED_KINDS).exists():
        raise DeescError("The module has no drills to package.", code="empty_module")
    package = Package(module=module, standard=standard, sha256="", size_bytes=0)
    grade_url = f"{settings.DEESC_PUBLIC_URL}/api/packages/{package.token}/attempts"
    files: dict[str, bytes] = {name: (PLAYER_DIR / name).read_bytes() for name in PLAYER_FILES}
    clip = module.clips.first()
    clip_audio = None
    if clip is not None and clip.audio:
        clip_audio = "clips/" + Path(clip.audio.name).name
        with clip.audio.open("rb") as fh:
            files[clip_audio] = fh.read()
    data = module_player_data(module=module, standard=standard, grade_url=grade_url, clip_audio=clip_audio)
    files["module.js"] = ("window.DEESC_MODULE = " + json.dumps(data, indent=1) + ";\n").encode()
    spec = manifest.ManifestSpec(
        identifier=_identifier(module.slug),
        title=module.title,
        launch="index.html",
        files=sorted(files),
        mastery_score=module.pass_threshold,
    )
    writer = manifest.scorm12 if standard == Package.Standard.SCORM12 else manifest.scorm2004
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as zf:
        zf.writestr("imsmanifest.xml", writer(spec))
        for name in sorted(files):
            zf.writestr(name, files[name])
    content = buffer.getvalue()
    package.sha256 = hashlib.sha256(content).hexdigest()
    package.size_bytes = len(content)
    package.file.save(f"{module.slug}-{standard}.zip", ContentFile(content), save=False)
    package.save()
    logger.info("module %s exported as %s (%d bytes)", module.slug, standard, len(content))
    return package


@dataclass
class PackageAnswer:
    attempt: Attempt
    grade: Grade | None


def package_answer_submit(
    *, token: str, drill_order: int, answer: str, learner_id: str = "", learner_name: str = ""
) -> PackageAnswer:
    """Store an answer sent by a package's player; grading follows (inline without a broker).

    Raises NotFound for an unknown package or drill, DeescError for an empty answer."""
    package = Package.objects.select_related("module").filter(token=token).first()
    if package is None:
        raise NotFound("No package with this token.")
    drill = package.module.drills.filter(order=drill_order, kind__in=PACKAGED_KINDS).first()
    if drill is None:
        raise NotFound(f"The module has no drill {drill_order}.")
    agent = None
    if learner_id:
        agent, _ = Agent.objects.get_or_create(
            external_id=f"scorm:{learner_id}"[:255], defaults={"name": (learner_name or learner_id)[:200]}
        )
    attempt = scenario_services.attempt_submit(drill=drill, agent=agent, text=answer, channel=Attempt.Channel.SCORM)
    attempt.refresh_from_db()
    return PackageAnswer(attempt=attempt, grade=attempt.grades.order_by("-created_at").first())
