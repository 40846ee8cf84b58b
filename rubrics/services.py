"""Every write of the rubrics app: loading and publishing rubric versions, grading answers and
calls, coach calibration scores.

Grading stores the Grade with the exact RubricVersion that produced it and sends
`rubrics.signals.grade_recorded` inside the same transaction.
"""

from __future__ import annotations

import logging
import shutil
import subprocess
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.files.base import ContentFile
from django.db import IntegrityError, transaction
from django.utils import timezone

from deesc_lms.api_errors import Conflict, DeescError
from deesc_lms.calls.models import Call, EscalationFlag, Utterance
from rubrics import grading, selectors, yaml_io
from rubrics.grading import Answer, AnswerRefused, GradeResult, RubricSpec, TimedWord
from rubrics.models import CalibrationSample, CoachScore, Criterion, Detector, Grade, Level, Rubric, RubricVersion
from rubrics.signals import grade_recorded
from scenarios.models import Attempt

logger = logging.getLogger(__name__)

DEFAULTS_DIR = Path(__file__).resolve().parent / "defaults"
CALL_MAX_CHARS = 200_000


def _max_answer_chars() -> int:
    return int(getattr(settings, "DEESC_RUBRIC_MAX_ANSWER_CHARS", 5000))


def _embed() -> grading.Embed:
    from deesc_lms.calls.embeddings import encode

    return encode


# --- rubric versions --------------------------------------------------------------------------


def _version_fill(version: RubricVersion, doc: dict[str, Any]) -> None:
    for i, c in enumerate(doc["criteria"]):
        crit = Criterion.objects.create(
            version=version,
            order=i,
            slug=c["slug"],
            name=c["name"],
            behaviour=c["behaviour"],
            weight=c["weight"],
            steps=c["steps"],
            critical=c["critical"],
            combine=c["combine"],
        )
        Level.objects.bulk_create(
            [
                Level(
                    criterion=crit,
                    points=lvl["points"],
                    label=lvl["label"],
                    descriptor=lvl["descriptor"],
                    min_score=lvl["min_score"],
                    examples=lvl["examples"],
                )
                for lvl in c["levels"]
            ]
        )
        Detector.objects.bulk_create(
            [
                Detector(
                    criterion=crit, order=k, kind=d["kind"], role=d["role"], weight=d["weight"], config=d["config"]
                )
                for k, d in enumerate(c["detectors"])
            ]
        )


def rubric_version_from_document(*, doc: dict[str, Any], publish: bool = False, change_note: str = "") -> RubricVersion:
    """Create (or replace) the rubric's draft from a document; publish it when asked.

    Raises DeescError (code invalid_rubric) for a bad document, Conflict when publishing content
    identical to an existing version."""
    try:
        doc = yaml_io.document_check(doc)
    except yaml_io.RubricDocumentError as exc:
        raise DeescError(str(exc), code="invalid_rubric") from exc
    with transaction.atomic():
        rubric, created = Rubric.objects.select_for_update().get_or_create(
            slug=doc["slug"], defaults={"name": doc["name"], "description": doc["description"]}
        )
        if not created and (rubric.name != doc["name"] or rubric.description != doc["description"]):
            rubric.name, rubric.description = doc["name"], doc["description"]
            rubric.save(update_fields=["name", "description"])
        draft = selectors.version_draft(rubric=rubric)
        latest = rubric.versions.order_by("-number").first()
        if draft is not None:
            draft.criteria.all().delete()
            draft.pass_threshold = doc["pass_threshold"]
            draft.model_answers = doc["model_answers"]
            draft.change_note = change_note or draft.change_note
            draft.save(update_fields=["pass_threshold", "model_answers", "change_note"])
        else:
            draft = RubricVersion.objects.create(
                rubric=rubric,
                number=(latest.number + 1) if latest else 1,
                pass_threshold=doc["pass_threshold"],
                model_answers=doc["model_answers"],
                change_note=change_note,
                based_on=latest,
            )
        _version_fill(draft, doc)
        if publish:
            draft = rubric_version_publish(version=draft)
    return draft


def rubric_version_draft(*, rubric: Rubric) -> RubricVersion:
    """The rubric's open draft, or a new one copied from the latest version (editing never
    touches a published version)."""
    with transaction.atomic():
        rubric = Rubric.objects.select_for_update().get(pk=rubric.pk)
        draft = selectors.version_draft(rubric=rubric)
        if draft is not None:
            return draft
        latest = rubric.versions.order_by("-number").first()
        if latest is None:
            raise DeescError(f"Rubric {rubric.slug!r} has no version to copy.", code="not_found")
        doc = selectors.version_document(latest)
        draft = RubricVersion.objects.create(
            rubric=rubric,
            number=latest.number + 1,
            pass_threshold=latest.pass_threshold,
            model_answers=latest.model_answers,
            based_on=latest,
        )
        _version_fill(draft, yaml_io.document_check(doc))
        return draft


def rubric_version_publish(*, version: RubricVersion) -> RubricVersion:
    """Freeze a draft: validate it, hash its content, mark it published.

    Raises DeescError for an invalid draft, Conflict when it is identical to a published version."""
    with transaction.atomic():
        version = RubricVersion.objects.select_for_update().select_related("rubric").get(pk=version.pk)
        if version.is_published:
            raise Conflict(f"{version} is already published; edit it to make a new draft.")
        try:
            doc = yaml_io.document_check(selectors.version_document(version))
            yaml_io.spec_from_document(doc)
        except yaml_io.RubricDocumentError as exc:
            raise DeescError(f"Cannot publish {version}: {exc}", code="invalid_rubric") from exc
        digest = yaml_io.content_hash(doc)
        same = version.rubric.versions.filter(content_hash=digest).exclude(pk=version.pk).first()
        if same is not None:
            raise Conflict(f"Nothing changed: this draft grades exactly like v{same.number}.", code="unchanged")
        version.content_hash = digest
        version.status = RubricVersion.Status.PUBLISHED
        version.published_at = timezone.now()
        try:
            version.save(update_fields=["content_hash", "status", "published_at"])
        except IntegrityError as exc:
            raise Conflict("Another version with the same content was published meanwhile.") from exc
    logger.info("published rubric %s v%s (%s)", version.rubric.slug, version.number, version.content_hash[:12])
    return version


def rubrics_load_defaults(*, directory: Path | None = None) -> list[RubricVersion]:
    """Load rubrics/defaults/*.yaml, publishing v1 of each rubric that has no published version.
    Idempotent: a rubric already published is left as it is."""
    loaded = []
    for path in sorted((directory or DEFAULTS_DIR).glob("*.yaml")):
        try:
            doc = yaml_io.parse(path.read_text(encoding="utf-8"))
        except yaml_io.RubricDocumentError as exc:
            raise DeescError(f"{path.name}: {exc}", code="invalid_rubric") from exc
        published = RubricVersion.objects.filter(rubric__slug=doc["slug"], status=RubricVersion.Status.PUBLISHED)
        if published.exists():
            loaded.append(selectors.version_current(slug=doc["slug"]))
            continue
        loaded.append(
            rubric_version_from_document(doc=doc, publish=True, change_note=f"Shipped default ({path.name}).")
        )
    return loaded


def rubric_version_current(*, slug: str) -> RubricVersion:
    """The latest published version; DeescError(code="not_found") if there is none."""
    return selectors.version_current(slug=slug)


# --- grading ----------------------------------------------------------------------------------


@dataclass
class SpokenAnswer:
    text: str
    words: list[TimedWord]
    transcript: dict[str, Any]
    voice: dict[str, Any] | None


def spoken_answer_read(*, audio_path: Path, baseline_db: float | None = None) -> SpokenAnswer:
    """Transcribe a spoken answer and measure its voice. Raises DeescError for unreadable audio."""
    from deesc_lms.calls import audio, prosody
    from deesc_lms.calls.asr import transcribe_samples

    samples = audio.load_samples(Path(audio_path))
    transcription = transcribe_samples(samples)
    pieces: list[str] = []
    words: list[TimedWord] = []
    stored_words = []
    cursor = 0
    for segment in transcription.segments:
        seg_words = segment.words or []
        if not seg_words and segment.text.strip():
            text = segment.text.strip()
            start = cursor + (1 if pieces else 0)
            pieces.append(text)
            cursor = start + len(text)
            words.append(TimedWord(start, cursor, segment.start, segment.end))
            continue
        for w in seg_words:
            token = w.word.strip()
            if not token:
                continue
            start = cursor + (1 if pieces else 0)
            pieces.append(token)
            cursor = start + len(token)
            words.append(TimedWord(start, cursor, float(w.start), float(w.end)))
            stored_words.append({"word": token, "start": w.start, "end": w.end, "probability": w.probability})
    text = " ".join(pieces)
    features = prosody.voice_features(
        samples, audio.SAMPLE_RATE, [(w.start_s, w.end_s) for w in words], baseline_db=baseline_db
    )
    voice = features.as_dict()
    transcript = {
        "text": text,
        "words": stored_words,
        "engine": transcription.engine,
        "model": transcription.model,
        "asr_seconds": round(transcription.seconds, 3),
        "duration_s": round(transcription.duration_s, 2),
        "voice": voice,
    }
    return SpokenAnswer(text, words, transcript, voice)


def _refuse(exc: AnswerRefused) -> DeescError:
    return DeescError(str(exc), code=exc.code)


def answer_evaluate(
    *,
    spec: RubricSpec,
    text: str,
    customer_line: str = "",
    words: list[TimedWord] | None = None,
    voice: dict[str, Any] | None = None,
) -> GradeResult:
    """Grade without storing (admin's "try it", calibration). Raises DeescError for a refused answer."""
    try:
        cleaned = grading.answer_check(text, max_chars=_max_answer_chars())
    except AnswerRefused as exc:
        raise _refuse(exc) from exc
    if cleaned != text and words:
        # Offsets of timed words refer to the untrimmed text.
        shift = len(text) - len(text.lstrip())
        words = [TimedWord(w.char_start - shift, w.char_end - shift, w.start_s, w.end_s) for w in words]
    answer = Answer(text=cleaned, customer_line=customer_line or "", words=words or [], voice=voice)
    return grading.grade(spec, answer, embed=_embed(), better_lines=selectors.recovered_call_lines())


def _grade_store(
    *,
    version: RubricVersion,
    result: GradeResult,
    source: str,
    answer_text: str,
    customer_line: str,
    transcript: dict[str, Any] | None = None,
    attempt: Attempt | None = None,
    call: Call | None = None,
) -> Grade:
    grade = Grade.objects.create(
        source=source,
        attempt=attempt,
        call=call,
        rubric_version=version,
        score=result.score,
        passed=result.passed,
        results=result.results(),
        feedback=result.feedback,
        better_line=result.better_line,
        answer_text=answer_text,
        customer_line=customer_line,
        transcript=transcript or {},
    )
    grade_recorded.send(sender=Grade, grade=grade)
    return grade


def answer_grade(
    *,
    rubric_slug: str,
    text: str = "",
    audio_path: Path | None = None,
    customer_line: str = "",
    attempt: Attempt | None = None,
    call: Call | None = None,
    spoken_feedback: bool | None = None,
) -> Grade:
    """Grade a typed (`text`) or spoken (`audio_path`) answer with the rubric's current version,
    store the Grade and return it.

    Raises DeescError: not_found (no such rubric), empty_answer, answer_too_long,
    unsupported_language, or an audio problem. Nothing is stored when it raises."""
    version = rubric_version_current(slug=rubric_slug)
    spec = selectors.version_spec(version)
    transcript: dict[str, Any] = {}
    words: list[TimedWord] = []
    voice = None
    if audio_path is not None:
        baseline = selectors.agent_voice_baseline(agent=attempt.agent if attempt else None)
        spoken = spoken_answer_read(audio_path=audio_path, baseline_db=baseline)
        text, words, voice, transcript = spoken.text, spoken.words, spoken.voice, spoken.transcript
    result = answer_evaluate(spec=spec, text=text, customer_line=customer_line, words=words, voice=voice)
    source = (
        Grade.Source.ATTEMPT if attempt is not None else Grade.Source.CALL if call is not None else Grade.Source.TRIAL
    )
    with transaction.atomic():
        grade = _grade_store(
            version=version,
            result=result,
            source=source,
            answer_text=text.strip(),
            customer_line=customer_line,
            transcript=transcript,
            attempt=attempt,
            call=call,
        )
    if spoken_feedback if spoken_feedback is not None else getattr(settings, "DEESC_RUBRIC_SPOKEN_FEEDBACK", False):
        grade_feedback_speak(grade=grade)
    return grade


def attempt_grade(*, attempt: Attempt) -> Grade:
    """Grade a stored drill attempt with its drill's rubric and customer line; mark it graded.

    For a refused answer (empty, too long, not English, unreadable audio) the attempt is marked
    failed with the reason, and the DeescError is raised."""
    drill = attempt.drill
    audio_path = None
    if attempt.answer_audio:
        try:
            audio_path = Path(attempt.answer_audio.path)
        except NotImplementedError:  # remote storage: copy to a local file first
            audio_path = _local_copy(attempt)
    try:
        grade = answer_grade(
            rubric_slug=drill.rubric_slug,
            text="" if audio_path else attempt.answer_text,
            audio_path=audio_path,
            # A role-play turn answers the simulated caller's latest line, not the drill's opening.
            customer_line=attempt.customer_line or drill.customer_line,
            attempt=attempt,
        )
    except DeescError as exc:
        Attempt.objects.filter(pk=attempt.pk).update(status=Attempt.Status.FAILED, failure_reason=exc.message)
        attempt.status, attempt.failure_reason = Attempt.Status.FAILED, exc.message
        raise
    attempt.status = Attempt.Status.GRADED
    attempt.failure_reason = ""
    fields = ["status", "failure_reason"]
    if grade.transcript:
        attempt.transcript = grade.transcript
        fields.append("transcript")
    attempt.save(update_fields=fields)
    return grade


def _local_copy(attempt: Attempt) -> Path:
    suffix = Path(attempt.answer_audio.name).suffix
    with tempfile.NamedTemporaryFile(suffix=suffix, delete=False) as out, attempt.answer_audio.open("rb") as src:
        shutil.copyfileobj(src, out)
    return Path(out.name)


def _call_transcript(call: Call) -> tuple[str, list[TimedWord], int, str, list[Utterance]]:
    """The agent's side as one text (one line per turn), its timed words, where the response
    window starts (the first escalation moment), and what the customer said up to it."""
    utterances = list(call.utterances.order_by("index"))
    agent_turns = [u for u in utterances if u.role == Utterance.Role.AGENT and u.text.strip()]
    if not agent_turns:
        raise DeescError("This call has no agent turns to grade (are the speaker roles set?).", code="no_agent_speech")
    flag = call.flags.order_by("time_s").first()
    moment = flag.time_s if isinstance(flag, EscalationFlag) else None
    text_parts: list[str] = []
    words: list[TimedWord] = []
    cursor = 0
    window_start = 0
    window_set = moment is None
    for u in agent_turns:
        start = cursor + (1 if text_parts else 0)
        body = u.text.strip()
        if not window_set and u.start_s is not None and u.start_s >= moment - 0.5:  # type: ignore[operator]
            window_start, window_set = start, True
        text_parts.append(body)
        cursor = start + len(body)
        search = 0
        lowered = body.lower()
        for w in u.words or []:
            token = str(w.get("word", "")).strip().lower()
            if not token:
                continue
            pos = lowered.find(token, search)
            if pos < 0:
                continue
            search = pos + len(token)
            words.append(
                TimedWord(start + pos, start + pos + len(token), float(w.get("start", 0)), float(w.get("end", 0)))
            )
        if not u.words and u.start_s is not None:
            words.append(TimedWord(start, cursor, float(u.start_s), float(u.end_s or u.start_s)))
    if not window_set:
        window_start = 0
    customer = [
        u.text
        for u in utterances
        if u.role == Utterance.Role.CUSTOMER and (moment is None or (u.start_s or 0) <= moment + 1)
    ]
    return "\n".join(text_parts), words, window_start, " ".join(customer)[-2000:], agent_turns


def _call_voice(call: Call, agent_turns: list[Utterance], flag_time: float | None) -> dict[str, Any] | None:
    """Pause before the agent's first reply after the escalation moment, and that reply's
    loudness against the agent's earlier turns (when the call's audio is readable)."""
    if flag_time is None:
        return None
    customer_turn = (
        call.utterances.filter(role=Utterance.Role.CUSTOMER, start_s__lte=flag_time + 1).order_by("-start_s").first()
    )
    reply = next((u for u in agent_turns if u.start_s is not None and u.start_s >= flag_time - 0.5), None)
    if reply is None or reply.start_s is None:
        return None
    voice: dict[str, Any] = {}
    # A pause needs real speech timings (word times or audio), not a transcript's line stamps.
    timed = call.source == Call.Source.AUDIO or bool(customer_turn and customer_turn.words)
    if customer_turn is not None and customer_turn.end_s is not None and timed:
        spoken_end = float((customer_turn.words or [{}])[-1].get("end", customer_turn.end_s))
        reply_start = float((reply.words or [{}])[0].get("start", reply.start_s))
        voice["pause_s"] = round(max(0.0, reply_start - spoken_end), 2)
    if call.media:
        from deesc_lms.calls import audio, prosody

        try:
            channel = None
            if call.channels and call.channels > 1 and "agent" in (call.channel_roles or []):
                channel = list(call.channel_roles).index("agent")
            samples = audio.load_samples(Path(call.media.path), channel=channel)
        except (DeescError, NotImplementedError, OSError) as exc:
            logger.info("call %s: no voice features (%s)", call.pk, exc)
            return voice or None
        before = [
            (u.start_s, u.end_s)
            for u in agent_turns
            if u.start_s is not None and u.end_s is not None and u.end_s <= flag_time
        ]
        baseline = prosody.speaker_baseline_db(samples, audio.SAMPLE_RATE, before)
        level = prosody.loudness_db(samples, audio.SAMPLE_RATE, start_s=reply.start_s, end_s=reply.end_s)
        if level is not None and baseline is not None:
            voice["loudness_db"] = level
            voice["baseline_db"] = baseline
            voice["loudness_vs_baseline_db"] = round(level - baseline, 2)
    return voice or None


def call_grade(*, call: Call, rubric_slug: str = "real-call-qa") -> Grade:
    """Score the agent's side of a real call with the same engine as drills.

    Behaviours are judged from the first escalation moment on (the whole call when none was
    flagged); defensive language counts anywhere. Evidence carries the call's timestamps.
    Raises DeescError when the call has no agent turns or no transcript."""
    version = rubric_version_current(slug=rubric_slug)
    spec = selectors.version_spec(version)
    text, words, window_start, customer_line, agent_turns = _call_transcript(call)
    flag = call.flags.order_by("time_s").first()
    voice = _call_voice(call, agent_turns, flag.time_s if flag else None)
    answer = Answer(
        text=text[:CALL_MAX_CHARS], customer_line=customer_line, words=words, voice=voice, window_start=window_start
    )
    result = grading.grade(spec, answer, embed=_embed(), better_lines=selectors.recovered_call_lines())
    for crit in result.criteria:
        for ev in crit.evidence:
            if "start_s" in ev:
                from deesc_lms.calls.models import fmt_mss

                ev["at"] = fmt_mss(ev["start_s"])
    with transaction.atomic():
        return _grade_store(
            version=version,
            result=result,
            source=Grade.Source.CALL,
            answer_text=answer.text,
            customer_line=customer_line,
            transcript={"window_start": window_start, "voice": voice or {}},
            call=call,
        )


def grade_feedback_speak(*, grade: Grade) -> Grade:
    """Synthesize the coach feedback with espeak-ng into grade.feedback_audio (a WAV file).

    Raises DeescError when espeak-ng is not installed or fails."""
    binary = shutil.which("espeak-ng") or shutil.which("espeak")
    if binary is None:
        raise DeescError("Spoken feedback needs espeak-ng (apt-get install espeak-ng).", code="tts_unavailable")
    text = grade.feedback.replace("“", '"').replace("”", '"')[:3000]
    with tempfile.TemporaryDirectory() as tmp:
        out = Path(tmp) / "feedback.wav"
        try:
            subprocess.run(
                [binary, "-s", "150", "-w", str(out), "--stdin"],
                input=text.encode(),
                check=True,
                capture_output=True,
                timeout=60,
            )
        except (subprocess.CalledProcessError, subprocess.TimeoutExpired) as exc:
            raise DeescError(f"espeak-ng failed: {exc}", code="tts_failed") from exc
        grade.feedback_audio.save(f"grade-{grade.pk}.wav", ContentFile(out.read_bytes()), save=True)
    return grade


# --- calibration ------------------------------------------------------------------------------


def calibration_sample_record(
    *, rubric: Rubric, key: str, customer_line: str, answer_text: str, kind: str = ""
) -> CalibrationSample:
    sample, _ = CalibrationSample.objects.update_or_create(
        key=key, defaults={"rubric": rubric, "customer_line": customer_line, "answer_text": answer_text, "kind": kind}
    )
    return sample


def coach_score_record(
    *, sample: CalibrationSample, criterion_slug: str, points: int, coach_name: str, coach: Any = None, note: str = ""
) -> CoachScore:
    """A coach's level for one criterion of a sample (replaces that coach's earlier score)."""
    if points < 0:
        raise DeescError("Points cannot be negative.")
    score, _ = CoachScore.objects.update_or_create(
        sample=sample,
        criterion_slug=criterion_slug,
        coach_name=coach_name,
        defaults={"points": points, "coach": coach, "note": note},
    )
    return score


def calibration_load(*, directory: Path, coach_name: str = "calibration set") -> int:
    """Load a labelled calibration set (fixtures/calibration/*.yaml) as samples and coach scores."""
    from rubrics import calibration

    items = calibration.items_load(directory)
    count = 0
    with transaction.atomic():
        for item in items:
            rubric = Rubric.objects.filter(slug=item.rubric).first()
            if rubric is None:
                raise DeescError(f"{item.key}: no rubric {item.rubric!r}; load the rubrics first.", code="not_found")
            sample = calibration_sample_record(
                rubric=rubric, key=item.key, customer_line=item.customer, answer_text=item.answer, kind=item.kind
            )
            for slug, points in item.labels.items():
                coach_score_record(sample=sample, criterion_slug=slug, points=points, coach_name=coach_name)
            count += 1
    return count
