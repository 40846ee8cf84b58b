"""Getting calls in: files and transcripts, transcription, export and clips."""

from __future__ import annotations

import hashlib
import logging
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.files import File
from django.core.files.storage import default_storage
from django.db import transaction
from django.utils import timezone

from deesc_lms.api_errors import DeescError, NotFound
from deesc_lms.calls import asr, audio, clips, diarization, transcripts
from deesc_lms.calls.models import Agent, Call, Utterance

logger = logging.getLogger(__name__)

__all__ = [
    "Clip",
    "IngestResult",
    "call_clip_cut",
    "call_export",
    "call_ingest",
    "call_mark_failed",
    "call_roles_swap",
    "call_transcribe",
    "call_transcript_lines",
]

ROLE_CHOICES = {"agent", "customer", "unknown"}
# Consecutive segments of one speaker closer than this become one utterance.
MERGE_GAP_S = 1.0


@dataclass
class IngestResult:
    call: Call
    created: bool  # False when the same content hash already existed


@dataclass
class Clip:
    name: str  # storage name under MEDIA_ROOT
    url: str
    path: Path
    start_s: float
    end_s: float


def file_sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for block in iter(lambda: handle.read(1024 * 1024), b""):
            digest.update(block)
    return digest.hexdigest()


def _is_transcript(path: Path, name: str) -> bool:
    if transcripts.is_transcript_name(name):
        return True
    if audio.is_audio_name(name):
        return False
    with path.open("rb") as handle:
        head = handle.read(4096)
    if not head:
        return False
    try:
        head.decode("utf-8")
    except UnicodeDecodeError:
        return False
    return b"\x00" not in head


def _check_roles(roles: list[str]) -> list[str]:
    cleaned = [r.strip().lower() for r in roles]
    wrong = [r for r in cleaned if r not in ROLE_CHOICES]
    if wrong:
        raise DeescError(f"Unknown channel role(s) {', '.join(wrong)}: use agent, customer or unknown.", code="invalid")
    return cleaned


def call_ingest(
    *,
    path: Path,
    agent: Agent | None = None,
    original_name: str | None = None,
    speaker_map: dict[str, str] | None = None,
    channel_roles: list[str] | None = None,
) -> IngestResult:
    """Store a recording or transcript as a Call; idempotent by content hash.

    Transcripts are parsed now (status TRANSCRIBED). Audio is stored and probed now, then
    transcribed by the `call_transcribe` task after commit (inline without a broker).
    Raises DeescError for a missing, empty, corrupt, too long, silent or unreadable file; the
    call is then marked failed with the reason and holds no utterances. A file whose earlier
    ingest failed is tried again."""
    path = Path(path)
    name = original_name or path.name
    if not path.is_file():
        raise DeescError(f"File not found: {name}", code="not_found", status_code=404)
    roles = _check_roles(channel_roles or list(settings.DEESC_CHANNEL_ROLES))
    if speaker_map:
        _check_roles(list(speaker_map.values()))
    digest = file_sha256(path)
    existing = Call.objects.filter(content_hash=digest).first()
    if existing is not None and existing.status != Call.Status.FAILED:
        logger.info("ingest %s: already stored as call %s", name, existing.pk)
        return IngestResult(call=existing, created=False)
    is_transcript = _is_transcript(path, name)
    with transaction.atomic():
        call = existing or Call(content_hash=digest)
        call.source = Call.Source.TRANSCRIPT if is_transcript else Call.Source.AUDIO
        call.original_name = name[:255]
        call.title = call.title or Path(name).stem[:255]
        call.agent = agent or call.agent
        call.status = Call.Status.QUEUED
        call.failure_reason = ""
        call.channel_roles = roles
        if not call.media:
            with path.open("rb") as handle:
                call.media.save(f"{digest[:16]}{Path(name).suffix.lower()}", File(handle), save=False)
        call.save()
        call.utterances.all().delete()
    logger.info("ingest %s: call %s (%s)", name, call.pk, call.source)
    if is_transcript:
        _ingest_transcript(call, path, speaker_map=speaker_map)
    else:
        _ingest_audio(call, path)
    return IngestResult(call=call, created=existing is None)


def _ingest_transcript(call: Call, path: Path, *, speaker_map: dict[str, str] | None) -> None:
    try:
        parsed = transcripts.read_transcript(path, speaker_map=speaker_map)
    except DeescError as exc:
        call_mark_failed(call=call, reason=exc.message)
        raise
    ends = [t for line in parsed.lines for t in (line.end, line.start) if t is not None]
    with transaction.atomic():
        _store_lines(call, parsed.lines)
        call.status = Call.Status.TRANSCRIBED
        call.input_format = parsed.format
        call.diarization = "transcript"
        call.title = parsed.title[:255] or call.title
        call.duration_s = parsed.duration_s or (max(ends) if ends else None)
        channels = {line.channel for line in parsed.lines if line.channel is not None}
        call.channels = len(channels)
        call.transcribed_at = timezone.now()
        call.save()
    _analyse(call)


def _ingest_audio(call: Call, path: Path) -> None:
    try:
        info = audio.probe(path)
        audio.check_limits(info, name=call.original_name or path.name)
    except DeescError as exc:
        call_mark_failed(call=call, reason=exc.message)
        raise
    from deesc_lms.calls.tasks import call_transcribe as transcribe_task

    with transaction.atomic():
        call.channels = info.channels
        call.duration_s = info.duration_s
        call.sample_rate = info.sample_rate
        call.input_format = f"{info.container}/{info.codec}"[:32]
        call.status = Call.Status.QUEUED
        call.save()
        call_id = call.pk
        transaction.on_commit(lambda: transcribe_task.delay(call_id))


def call_mark_failed(*, call: Call, reason: str) -> Call:
    """Failed with a reason a person can act on; no utterances are kept."""
    with transaction.atomic():
        call.utterances.all().delete()
        call.status = Call.Status.FAILED
        call.failure_reason = reason
        call.save(update_fields=["status", "failure_reason"])
    logger.warning("call %s failed: %s", call.pk, reason)
    return call


def call_transcribe(*, call_id: int) -> Call:
    """Transcribe a stored recording: each channel on its own, or mono split into two speakers.

    Idempotent: a call already transcribed is returned as it is. Raises DeescError (and marks
    the call failed) for corrupt, truncated or silent audio; other errors are left to the task
    to retry."""
    call = Call.objects.filter(pk=call_id).first()
    if call is None:
        raise NotFound(f"No call {call_id}.")
    if call.status in {Call.Status.TRANSCRIBED, Call.Status.ANALYSED}:
        return call
    if call.source != Call.Source.AUDIO or not call.media:
        raise DeescError(f"Call {call_id} has no recording to transcribe.", code="invalid")
    call.status = Call.Status.TRANSCRIBING
    call.asr_attempts += 1
    call.transcription_started_at = timezone.now()
    call.save(update_fields=["status", "asr_attempts", "transcription_started_at"])
    name = call.original_name or Path(call.media.name).name
    try:
        channels = audio.load_channels(Path(call.media.path))
        if all(audio.is_silent(c) for c in channels):
            raise DeescError(f"{name} contains only silence: there is nothing to transcribe.", code="silent_audio")
        if len(channels) >= 2 and audio.same_signal(channels[0], channels[1]):
            channels = [audio.mix(channels)]  # a mono call saved as stereo
        started = time.perf_counter()
        lines, runs = _transcribe_channels(call, channels)
        seconds = time.perf_counter() - started
        if not lines:
            raise DeescError(f"No speech was recognised in {name}.", code="no_speech")
    except DeescError as exc:
        call_mark_failed(call=call, reason=exc.message)
        raise
    duration = len(channels[0]) / audio.SAMPLE_RATE
    with transaction.atomic():
        _store_lines(call, lines)
        call.status = Call.Status.TRANSCRIBED
        call.failure_reason = ""
        call.asr_engine = runs[0].engine
        call.asr_model = runs[0].model
        call.duration_s = round(duration, 3)
        call.asr_seconds = round(seconds, 3)
        call.asr_rtf = round(duration / seconds, 2) if seconds > 0 else None
        call.diarization = "clustering" if len(channels) == 1 else "channels"
        call.transcribed_at = timezone.now()
        call.save()
    _analyse(call)
    return call


def _transcribe_channels(
    call: Call, channels: list[Any]
) -> tuple[list[transcripts.TranscriptLine], list[asr.Transcription]]:
    if len(channels) == 1:
        run = asr.transcribe_samples(channels[0])
        turns = diarization.diarize(channels[0], run.segments)
        roles = diarization.roles_from_content([(str(t.speaker), t.text) for t in turns])
        lines = [
            transcripts.TranscriptLine(
                speaker=f"Speaker {t.speaker + 1}",
                role=roles.get(str(t.speaker), "unknown"),
                start=t.start,
                end=t.end,
                text=t.text,
                words=[_word_json(w) for w in t.words],
            )
            for t in turns
        ]
        return lines, [run]
    channel_roles = list(call.channel_roles or settings.DEESC_CHANNEL_ROLES)
    active = [index for index, samples in enumerate(channels) if not audio.is_silent(samples)]
    runs = asr.transcribe_channels([channels[i] for i in active])
    for index, run in zip(active, runs, strict=True):
        for segment in run.segments:
            segment.channel = index
    # Whisper segments can run across the other side's turn, so turns are rebuilt from word gaps.
    pieces: list[transcripts.TranscriptLine] = []
    for run in runs:
        current: transcripts.TranscriptLine | None = None
        for segment in run.segments:
            channel = segment.channel or 0
            for word in segment.words or [asr.Word(segment.text, segment.start, segment.end, 1.0)]:
                if current is None or current.end is None or word.start - current.end >= MERGE_GAP_S:
                    current = transcripts.TranscriptLine(
                        speaker=f"Channel {channel + 1}",
                        role=channel_roles[channel] if channel < len(channel_roles) else "unknown",
                        channel=channel,
                        start=word.start,
                        end=word.end,
                        text="",
                    )
                    pieces.append(current)
                current.words.append(_word_json(word))
                current.text = f"{current.text} {word.word}".strip()
                current.end = word.end
    merged = sorted(pieces, key=lambda line: (line.start or 0.0, line.channel or 0))
    return merged, runs


def _word_json(word: asr.Word) -> dict[str, Any]:
    return {"word": word.word, "start": word.start, "end": word.end, "probability": word.probability}


def _store_lines(call: Call, lines: list[transcripts.TranscriptLine]) -> None:
    call.utterances.all().delete()
    Utterance.objects.bulk_create(
        Utterance(
            call=call,
            index=i,
            role=line.role if line.role in ROLE_CHOICES else Utterance.Role.UNKNOWN,
            speaker=line.speaker[:120],
            channel=line.channel,
            start_s=line.start,
            end_s=line.end,
            text=line.text,
            words=line.words,
        )
        for i, line in enumerate(lines)
    )


def _analyse(call: Call) -> None:
    """Hand the transcribed call to escalation analysis (owned by the analysis module)."""
    from deesc_lms.calls.services.analysis import call_analyse  # same app, imported late to avoid a cycle

    try:
        call_analyse(call=call)
    except DeescError as exc:
        # The transcript stands on its own: keep the reason on the call; `analyze` can rerun it.
        Call.objects.filter(pk=call.pk).update(analysis_note=f"Analysis failed: {exc.message}")
        logger.warning("call %s: analysis failed: %s", call.pk, exc.message)


# --- corrections and output -------------------------------------------------------------------


def call_roles_swap(*, call: Call) -> int:
    """Swap agent and customer on every utterance (and channel role) of a call; returns how many changed."""
    swap = {Utterance.Role.AGENT: Utterance.Role.CUSTOMER, Utterance.Role.CUSTOMER: Utterance.Role.AGENT}
    changed = 0
    with transaction.atomic():
        for utterance in call.utterances.select_for_update():
            if utterance.role in swap:
                utterance.role = swap[Utterance.Role(utterance.role)]
                utterance.save(update_fields=["role"])
                changed += 1
        call.channel_roles = [{"agent": "customer", "customer": "agent"}.get(r, r) for r in (call.channel_roles or [])]
        call.save(update_fields=["channel_roles"])
    return changed


def call_transcript_lines(*, call: Call) -> list[transcripts.TranscriptLine]:
    return [
        transcripts.TranscriptLine(
            speaker=u.speaker,
            role=u.role,
            channel=u.channel,
            start=u.start_s,
            end=u.end_s,
            text=u.text,
            words=list(u.words or []),
        )
        for u in call.utterances.order_by("index")
    ]


EXPORT_TYPES = {"json": "application/json", "vtt": "text/vtt", "txt": "text/plain"}


def call_export(*, call: Call, fmt: str) -> tuple[str, str]:
    """(content, content type) of the call's transcript as json, vtt or txt.

    Raises DeescError for an unknown format or a call that has no transcript yet."""
    if fmt not in EXPORT_TYPES:
        raise DeescError(f"Unknown export format {fmt!r}: choose json, vtt or txt.", code="invalid")
    if call.status in {Call.Status.QUEUED, Call.Status.TRANSCRIBING, Call.Status.FAILED}:
        reason = f": {call.failure_reason}" if call.failure_reason else ""
        raise DeescError(
            f"Call {call.pk} has no transcript ({call.status}{reason}).", code="not_ready", status_code=409
        )
    lines = call_transcript_lines(call=call)
    header = {
        "call_id": call.pk,
        "title": call.title,
        "agent": call.agent.name if call.agent else None,
        "source": call.source,
        "original_name": call.original_name,
        "duration_s": call.duration_s,
        "channels": call.channels,
        "channel_roles": call.channel_roles,
        "asr_engine": call.asr_engine,
        "asr_model": call.asr_model,
        "asr_rtf": call.asr_rtf,
    }
    return transcripts.write(lines, fmt, **header), EXPORT_TYPES[fmt]


def call_clip_cut(
    *, call: Call, start_s: float, end_s: float, pad_s: float = 0.5, channel: int | None = None, fmt: str = "mp3"
) -> Clip:
    """A loudness-normalised mono clip of [start - pad, end + pad] of the call, saved to media storage.

    `channel` picks one side of a dual-channel call; None mixes them. Raises DeescError for a call
    without audio, a bad range, channel or format."""
    if call.source != Call.Source.AUDIO or not call.media:
        raise DeescError(f"Call {call.pk} has no recording to cut a clip from.", code="no_audio")
    name = f"clips/call-{call.pk}-{int(start_s * 1000)}-{int(end_s * 1000)}-{channel if channel is not None else 'mix'}.{fmt}"
    path = Path(default_storage.path(name))
    begin, end = clips.cut_clip(
        Path(call.media.path), path, start_s=start_s, end_s=end_s, pad_s=pad_s, channel=channel, fmt=fmt
    )
    return Clip(name=name, url=default_storage.url(name), path=path, start_s=begin, end_s=end)
