"""Transcripts from other systems in, and the call's transcript out.

Read: the project JSON (docs/transcript-format.md), WebVTT with ``<v Name>`` voices, SRT, Amazon
Transcribe JSON (speaker labels or channel identification) and plain text, one utterance a line:
``[2:47] Customer: This is the third time I'm calling.``
Write: the project JSON, WebVTT and plain text. Plain Python, no Django models.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from deesc_lms.api_errors import DeescError
from deesc_lms.calls.models import fmt_mss

FORMATS = ("json", "vtt", "srt", "aws", "txt")
TRANSCRIPT_EXTENSIONS = frozenset({".json", ".vtt", ".srt", ".txt", ".text"})
PROJECT_FORMAT = "deesc-transcript"
ROLES = ("agent", "customer", "unknown")
DEFAULT_SPEAKER_ROLES = {
    "agent": "agent",
    "rep": "agent",
    "representative": "agent",
    "advisor": "agent",
    "adviser": "agent",
    "operator": "agent",
    "csr": "agent",
    "support": "agent",
    "customer": "customer",
    "caller": "customer",
    "client": "customer",
}


@dataclass
class TranscriptLine:
    speaker: str
    text: str
    start: float | None = None
    end: float | None = None
    channel: int | None = None
    role: str = ""
    words: list[dict[str, Any]] = field(default_factory=list)


@dataclass
class ParsedTranscript:
    format: str
    lines: list[TranscriptLine]
    title: str = ""
    duration_s: float | None = None


# --- reading ----------------------------------------------------------------------------------


def decode_text(raw: bytes, *, name: str) -> str:
    """UTF-8 (with or without BOM) or UTF-16 with a BOM. Anything else is a clear error."""
    if raw.startswith((b"\xff\xfe", b"\xfe\xff")):
        try:
            return raw.decode("utf-16")
        except UnicodeDecodeError as exc:
            raise DeescError(f"{name} claims UTF-16 but is not valid UTF-16 text.", code="bad_encoding") from exc
    if b"\x00" in raw[:4096]:
        raise DeescError(f"{name} is a binary file, not a transcript.", code="unreadable_transcript")
    try:
        return raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise DeescError(
            f"{name} is not UTF-8 text (byte 0x{raw[exc.start]:02x} at position {exc.start}); save it as UTF-8.",
            code="bad_encoding",
        ) from exc


def sniff_format(text: str, *, name: str = "") -> str:
    head = text.lstrip()[:200]
    if head.startswith("WEBVTT"):
        return "vtt"
    if head.startswith("{") or re.match(r"\[\s*[{\]]", head):
        try:
            payload = json.loads(text)
        except json.JSONDecodeError as exc:
            raise DeescError(
                f"{name} is not valid JSON (line {exc.lineno}: {exc.msg}).", code="unreadable_transcript"
            ) from exc
        if isinstance(payload, dict) and isinstance(payload.get("results"), dict):
            return "aws"
        return "json"
    if re.match(r"\d+\s*\r?\n\s*\d{1,2}:\d{2}:\d{2}[,.]\d{1,3}\s*-->", head):
        return "srt"
    return "txt"


def read_transcript(path: Path, *, speaker_map: dict[str, str] | None = None) -> ParsedTranscript:
    """Parse a transcript file of any supported format; roles are filled in.

    Raises DeescError for an empty file, a wrong encoding or a file with no utterances."""
    raw = path.read_bytes()
    if not raw.strip():
        raise DeescError(f"{path.name} is empty.", code="empty_file")
    text = decode_text(raw, name=path.name)
    return parse_transcript(text, name=path.name, speaker_map=speaker_map)


def parse_transcript(
    text: str, *, name: str = "transcript", speaker_map: dict[str, str] | None = None
) -> ParsedTranscript:
    kind = sniff_format(text, name=name)
    parsed: ParsedTranscript
    if kind == "vtt":
        parsed = ParsedTranscript("vtt", _parse_cues(text, name=name))
    elif kind == "srt":
        parsed = ParsedTranscript("srt", _parse_cues(text, name=name))
    elif kind == "aws":
        parsed = _parse_aws(json.loads(text), name=name)
    elif kind == "json":
        parsed = _parse_project_json(json.loads(text), name=name)
    else:
        parsed = ParsedTranscript("txt", _parse_plain(text, name=name))
    parsed.lines = [line for line in parsed.lines if line.text.strip()]
    if not parsed.lines:
        raise DeescError(
            f"No utterances found in {name}: expected {', '.join(FORMATS)} (see docs/transcript-format.md).",
            code="unreadable_transcript",
        )
    assign_roles(parsed.lines, speaker_map=speaker_map)
    return parsed


_PLAIN_LINE = re.compile(
    r"^\s*(?:\[(?P<ts>\d{1,2}(?::\d{2}){1,2}(?:\.\d+)?)\]\s*)?"
    r"(?:(?P<speaker>[A-Za-z][\w .'\-]{0,39}?)\s*:\s+)?(?P<text>.*?)\s*$"
)


def _parse_plain(text: str, *, name: str) -> list[TranscriptLine]:
    lines: list[TranscriptLine] = []
    for number, raw in enumerate(text.splitlines(), start=1):
        if not raw.strip():
            continue
        match = _PLAIN_LINE.match(raw)
        if match is None:  # pragma: no cover - the pattern matches any line
            continue
        speaker, body, stamp = match["speaker"], match["text"], match["ts"]
        if speaker is None:
            if stamp is None and lines:
                lines[-1].text = f"{lines[-1].text} {body}".strip()  # a wrapped line continues the utterance
                continue
            raise DeescError(
                f"{name}, line {number}: expected '[m:ss] Speaker: text', got {raw.strip()[:60]!r}.",
                code="unreadable_transcript",
            )
        lines.append(TranscriptLine(speaker=speaker.strip(), text=body, start=parse_clock(stamp) if stamp else None))
    _fill_ends(lines)
    return lines


_CUE_TIME = re.compile(
    r"^\s*(?P<start>(?:\d+:)?\d{1,2}:\d{2}[.,]\d{1,3})\s*-->\s*(?P<end>(?:\d+:)?\d{1,2}:\d{2}[.,]\d{1,3})"
)
_VOICE = re.compile(r"<v(?:\.[\w.-]+)?\s+([^>]+)>")
_TAG = re.compile(r"</?[^>]+>")
_PREFIX_SPEAKER = re.compile(r"^(?:\[(?P<b>[^\]]{1,40})\]|(?P<n>[A-Za-z][\w .'\-]{0,39}?):)\s+(?P<text>.+)$")


def _parse_cues(text: str, *, name: str) -> list[TranscriptLine]:
    """WebVTT and SRT: blocks separated by blank lines, each with one timing line."""
    lines: list[TranscriptLine] = []
    blocks = re.split(r"\r?\n\s*\r?\n", text.replace("\r\n", "\n"))
    for block in blocks:
        rows = [r for r in block.split("\n") if r.strip()]
        timing = next((i for i, r in enumerate(rows) if _CUE_TIME.match(r)), None)
        if timing is None:
            continue  # header, NOTE, STYLE, REGION or a stray index
        match = _CUE_TIME.match(rows[timing])
        assert match is not None  # noqa: S101 - found by the same pattern above
        start, end = parse_clock(match["start"]), parse_clock(match["end"])
        body = " ".join(rows[timing + 1 :]).strip()
        voices = _VOICE.findall(body)
        speaker = voices[0].strip() if voices else ""
        body = re.sub(r"\s+", " ", _TAG.sub("", body)).strip()
        if not speaker:
            prefixed = _PREFIX_SPEAKER.match(body)
            if prefixed:
                speaker = (prefixed["b"] or prefixed["n"] or "").strip()
                body = prefixed["text"].strip()
        lines.append(TranscriptLine(speaker=speaker, text=body, start=start, end=end))
    return lines


def _parse_project_json(payload: Any, *, name: str) -> ParsedTranscript:
    if isinstance(payload, list):
        payload = {"utterances": payload}
    if not isinstance(payload, dict) or not isinstance(payload.get("utterances"), list):
        raise DeescError(
            f"{name} is JSON but neither the project format (an 'utterances' list) nor Amazon Transcribe output.",
            code="unreadable_transcript",
        )
    lines: list[TranscriptLine] = []
    for i, item in enumerate(payload["utterances"]):
        if not isinstance(item, dict) or not isinstance(item.get("text"), str):
            raise DeescError(f"{name}: utterance {i} has no 'text'.", code="unreadable_transcript")
        role = str(item.get("role") or "").lower()
        if role and role not in ROLES:
            raise DeescError(
                f"{name}: utterance {i} has role {role!r}; use agent, customer or unknown.", code="invalid"
            )
        words = [_word(w, name=name, index=i) for w in item.get("words") or []]
        lines.append(
            TranscriptLine(
                speaker=str(item.get("speaker") or role.title()),
                text=item["text"].strip(),
                start=_optional_float(item.get("start"), name=name, index=i),
                end=_optional_float(item.get("end"), name=name, index=i),
                channel=item.get("channel") if isinstance(item.get("channel"), int) else None,
                role=role,
                words=words,
            )
        )
    duration = _optional_float(payload.get("duration_s"), name=name, index=-1)
    return ParsedTranscript("json", lines, title=str(payload.get("title") or ""), duration_s=duration)


def _word(item: Any, *, name: str, index: int) -> dict[str, Any]:
    if not isinstance(item, dict) or "word" not in item:
        raise DeescError(f"{name}: utterance {index} has a word without 'word'.", code="unreadable_transcript")
    return {
        "word": str(item["word"]),
        "start": _optional_float(item.get("start"), name=name, index=index),
        "end": _optional_float(item.get("end"), name=name, index=index),
        "probability": float(item.get("probability", 1.0)),
    }


def _parse_aws(payload: dict[str, Any], *, name: str) -> ParsedTranscript:
    """Amazon Transcribe: items grouped into utterances by speaker label or channel."""
    results = payload["results"]
    words: list[tuple[str, int | None, dict[str, Any]]] = []  # (label, channel, word)
    channel_labels = (results.get("channel_labels") or {}).get("channels") or []
    if channel_labels:
        for block in channel_labels:
            channel = _channel_number(block.get("channel_label", ""))
            label = f"ch_{channel}"
            _collect_items(block.get("items") or [], words, label=lambda _item, lb=label: lb, channel=channel)
        words.sort(key=lambda w: w[2]["start"] if w[2]["start"] is not None else 0.0)
    else:
        by_start: dict[str, str] = {}
        for segment in (results.get("speaker_labels") or {}).get("segments") or []:
            for item in segment.get("items") or []:
                by_start[str(item.get("start_time"))] = str(item.get("speaker_label", ""))

        def label_of(item: dict[str, Any]) -> str:
            return str(item.get("speaker_label") or by_start.get(str(item.get("start_time")), "spk_0"))

        _collect_items(results.get("items") or [], words, label=label_of, channel=None)
    lines: list[TranscriptLine] = []
    for label, channel_of_word, word in words:
        gap = word["start"] - lines[-1].end if lines and lines[-1].end is not None and word["start"] is not None else 0
        if lines and lines[-1].speaker == label and lines[-1].channel == channel_of_word and gap < 2.0:
            line = lines[-1]
        else:
            line = TranscriptLine(speaker=label, text="", start=word["start"], end=word["end"], channel=channel_of_word)
            lines.append(line)
        if word["word"] in _PUNCTUATION and line.words:
            line.words[-1]["word"] += word["word"]
            line.text += word["word"]
            continue
        line.words.append(word)
        line.text = f"{line.text} {word['word']}".strip()
        line.end = word["end"]
    if not lines:
        transcript = " ".join(t.get("transcript", "") for t in results.get("transcripts") or []).strip()
        if transcript:
            lines.append(TranscriptLine(speaker="", text=transcript))
    return ParsedTranscript("aws", lines, title=str(payload.get("jobName") or ""))


_PUNCTUATION = frozenset(".,?!;:")


def _collect_items(
    items: Iterable[dict[str, Any]],
    out: list[tuple[str, int | None, dict[str, Any]]],
    *,
    label: Any,
    channel: int | None,
) -> None:
    for item in items:
        alternatives = item.get("alternatives") or [{}]
        content = str(alternatives[0].get("content", "")).strip()
        if not content:
            continue
        if item.get("type") == "punctuation":
            out.append(
                (
                    out[-1][0] if out else label(item),
                    out[-1][1] if out else channel,
                    {"word": content, "start": None, "end": None, "probability": 1.0},
                )
            )
            continue
        start, end = float(item["start_time"]), float(item["end_time"])
        conf = float(alternatives[0].get("confidence") or 0.0)
        out.append((label(item), channel, {"word": content, "start": start, "end": end, "probability": conf}))


def _channel_number(label: str) -> int:
    digits = re.findall(r"\d+", label)
    return int(digits[0]) if digits else 0


def _fill_ends(lines: list[TranscriptLine]) -> None:
    for current, following in zip(lines, lines[1:], strict=False):
        if current.start is not None and following.start is not None and following.start >= current.start:
            current.end = following.start


def _optional_float(value: Any, *, name: str, index: int) -> float | None:
    if value is None or value == "":
        return None
    try:
        return float(value)
    except (TypeError, ValueError) as exc:
        where = f"utterance {index}" if index >= 0 else "the header"
        raise DeescError(
            f"{name}: {where} has a time {value!r} that is not a number.", code="unreadable_transcript"
        ) from exc


def parse_clock(stamp: str) -> float:
    """'2:47' → 167.0, '1:02:03' → 3723.0, '00:01:02.500' or '00:01:02,500' → 62.5."""
    parts = stamp.replace(",", ".").split(":")
    seconds = 0.0
    for part in parts:
        seconds = seconds * 60 + float(part)
    return seconds


# --- roles ------------------------------------------------------------------------------------


def role_for(speaker: str, speaker_map: dict[str, str] | None = None) -> str:
    """The role a speaker label maps to, '' when the label says nothing."""
    key = speaker.strip().lower()
    for source, role in (speaker_map or {}).items():
        if source.strip().lower() == key:
            return role.strip().lower()
    return DEFAULT_SPEAKER_ROLES.get(key, "")


def assign_roles(lines: list[TranscriptLine], *, speaker_map: dict[str, str] | None = None) -> None:
    """Fill each line's role: given in the file, then the speaker map, then from what was said."""
    from deesc_lms.calls.diarization import roles_from_content

    for line in lines:
        if line.role:
            continue
        line.role = role_for(line.speaker, speaker_map)
    unresolved = sorted({line.speaker for line in lines if not line.role})
    if not unresolved:
        return
    known = {line.role for line in lines if line.role}
    if len(unresolved) == 1 and len(known) == 1 and known <= {"agent", "customer"}:
        guess = {unresolved[0]: "customer" if "agent" in known else "agent"}
    elif len(unresolved) == 2 and not known:
        guess = roles_from_content([(line.speaker, line.text) for line in lines])
    else:
        guess = {}
    for line in lines:
        if not line.role:
            line.role = guess.get(line.speaker, "unknown")


# --- writing ----------------------------------------------------------------------------------


def to_project_json(lines: list[TranscriptLine], **header: Any) -> str:
    body = {"format": PROJECT_FORMAT, "version": 1, **header, "utterances": [_line_json(line) for line in lines]}
    return json.dumps(body, indent=2, ensure_ascii=False) + "\n"


def _line_json(line: TranscriptLine) -> dict[str, Any]:
    item = asdict(line)
    return {k: item[k] for k in ("speaker", "role", "channel", "start", "end", "text", "words")}


def to_vtt(lines: list[TranscriptLine]) -> str:
    out = ["WEBVTT", ""]
    for line in lines:
        start = line.start or 0.0
        end = line.end if line.end is not None and line.end > start else start + 1.0
        out += [f"{vtt_clock(start)} --> {vtt_clock(end)}", f"<v {display_speaker(line)}>{line.text}", ""]
    return "\n".join(out)


def to_text(lines: list[TranscriptLine]) -> str:
    rows = []
    for line in lines:
        stamp = f"[{fmt_mss(line.start)}] " if line.start is not None else ""
        rows.append(f"{stamp}{display_speaker(line)}: {line.text}")
    return "\n".join(rows) + "\n"


def display_speaker(line: TranscriptLine) -> str:
    if line.role in {"agent", "customer"}:
        return line.role.title()
    return line.speaker or "Unknown"


def vtt_clock(seconds: float) -> str:
    millis = int(round(max(seconds, 0.0) * 1000))
    hours, rest = divmod(millis, 3_600_000)
    minutes, rest = divmod(rest, 60_000)
    secs, millis = divmod(rest, 1000)
    return f"{hours:02d}:{minutes:02d}:{secs:02d}.{millis:03d}"


def write(lines: list[TranscriptLine], fmt: str, **header: Any) -> str:
    if fmt == "json":
        return to_project_json(lines, **header)
    if fmt == "vtt":
        return to_vtt(lines)
    if fmt == "txt":
        return to_text(lines)
    raise DeescError(f"Unknown export format {fmt!r}: choose json, vtt or txt.", code="invalid")


def is_transcript_name(name: str) -> bool:
    return Path(name).suffix.lower() in TRANSCRIPT_EXTENSIONS
