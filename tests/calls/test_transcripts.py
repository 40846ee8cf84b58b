"""Transcripts from other systems: every format in, roles right, clear errors, round trips out."""

from __future__ import annotations

import json

import pytest

from deesc_lms.api_errors import DeescError
from deesc_lms.calls import transcripts

PLAIN = """[0:02] Agent: Thank you for calling, how can I help?
[0:05] Customer: This is the third time I'm calling.
[1:02:47] Agent: I am sorry to hear that.
"""


def test_plain_text_with_timestamps_and_speakers():
    parsed = transcripts.parse_transcript(PLAIN)

    assert parsed.format == "txt"
    assert [(line.start, line.role, line.text) for line in parsed.lines] == [
        (2.0, "agent", "Thank you for calling, how can I help?"),
        (5.0, "customer", "This is the third time I'm calling."),
        (3767.0, "agent", "I am sorry to hear that."),
    ]
    assert parsed.lines[0].end == 5.0  # ends where the next one starts


def test_plain_text_without_timestamps_and_mapped_names():
    text = "Sam: Good morning, you're speaking to Sam.\nPat: My parcel never arrived.\n  and nobody called me back\n"

    parsed = transcripts.parse_transcript(text, speaker_map={"Sam": "agent", "Pat": "customer"})

    assert [(line.speaker, line.role, line.start) for line in parsed.lines] == [
        ("Sam", "agent", None),
        ("Pat", "customer", None),
    ]
    assert parsed.lines[1].text == "My parcel never arrived. and nobody called me back"


def test_unmapped_names_get_roles_from_what_is_said():
    text = "Pat: I'm calling about my account, it was charged twice.\nSam: Thanks for holding. Let me check that for you.\n"

    parsed = transcripts.parse_transcript(text)

    assert {line.speaker: line.role for line in parsed.lines} == {"Pat": "customer", "Sam": "agent"}


def test_webvtt_voices():
    vtt = """WEBVTT

NOTE exported from the recorder

1
00:00:01.000 --> 00:00:03.500
<v Agent>Thank you for calling.</v>

00:03.800 --> 00:00:06.000 align:start
<v.loud Customer>I want a <i>refund</i>.
"""
    parsed = transcripts.parse_transcript(vtt)

    assert parsed.format == "vtt"
    assert [(line.speaker, line.role, line.start, line.end, line.text) for line in parsed.lines] == [
        ("Agent", "agent", 1.0, 3.5, "Thank you for calling."),
        ("Customer", "customer", 3.8, 6.0, "I want a refund."),
    ]


def test_srt_with_name_prefixes():
    srt = "1\n00:00:01,000 --> 00:00:02,500\nAgent: Hello, how may I help?\n\n2\n00:00:03,000 --> 00:00:05,000\nCustomer: My bill is wrong.\n"

    parsed = transcripts.parse_transcript(srt)

    assert parsed.format == "srt"
    assert [(line.role, line.start, line.end, line.text) for line in parsed.lines] == [
        ("agent", 1.0, 2.5, "Hello, how may I help?"),
        ("customer", 3.0, 5.0, "My bill is wrong."),
    ]


def aws_item(start: float, end: float, word: str) -> dict:
    return {
        "start_time": str(start),
        "end_time": str(end),
        "type": "pronunciation",
        "alternatives": [{"confidence": "0.98", "content": word}],
    }


def aws_punct(mark: str) -> dict:
    return {"type": "punctuation", "alternatives": [{"confidence": "0.0", "content": mark}]}


def test_amazon_transcribe_speaker_labels():
    items = [aws_item(0.1, 0.4, "Hello"), aws_punct(","), aws_item(0.5, 0.9, "how"), aws_item(0.9, 1.0, "can"),
             aws_item(1.0, 1.1, "I"), aws_item(1.1, 1.4, "help"), aws_punct("?"),
             aws_item(2.0, 2.3, "My"), aws_item(2.3, 2.6, "bill"), aws_item(2.6, 2.8, "is"), aws_item(2.8, 3.2, "wrong"), aws_punct(".")]  # fmt: skip
    speakers = {"segments": [
        {"speaker_label": "spk_0", "start_time": "0.1", "end_time": "1.4",
         "items": [{"start_time": str(s), "speaker_label": "spk_0"} for s in (0.1, 0.5, 0.9, 1.0, 1.1)]},
        {"speaker_label": "spk_1", "start_time": "2.0", "end_time": "3.2",
         "items": [{"start_time": str(s), "speaker_label": "spk_1"} for s in (2.0, 2.3, 2.6, 2.8)]},
    ]}  # fmt: skip
    payload = {
        "jobName": "call-17",
        "results": {"transcripts": [{"transcript": "..."}], "speaker_labels": speakers, "items": items},
    }

    parsed = transcripts.parse_transcript(json.dumps(payload))

    assert parsed.format == "aws"
    assert [(line.speaker, line.role, line.start, line.end, line.text) for line in parsed.lines] == [
        ("spk_0", "agent", 0.1, 1.4, "Hello, how can I help?"),
        ("spk_1", "customer", 2.0, 3.2, "My bill is wrong."),
    ]
    assert parsed.lines[0].words[0] == {"word": "Hello,", "start": 0.1, "end": 0.4, "probability": 0.98}


def test_amazon_transcribe_channel_identification():
    payload = {"results": {"transcripts": [], "channel_labels": {"number_of_channels": 2, "channels": [
        {"channel_label": "ch_0", "items": [aws_item(0.0, 0.5, "Hello"), aws_item(4.0, 4.5, "Sure")]},
        {"channel_label": "ch_1", "items": [aws_item(1.0, 1.5, "Hi"), aws_item(1.5, 2.0, "there")]},
    ]}, "items": []}}  # fmt: skip

    parsed = transcripts.parse_transcript(json.dumps(payload), speaker_map={"ch_0": "agent", "ch_1": "customer"})

    assert [(line.channel, line.role, line.text) for line in parsed.lines] == [
        (0, "agent", "Hello"),
        (1, "customer", "Hi there"),
        (0, "agent", "Sure"),
    ]


def test_project_json_round_trip():
    parsed = transcripts.parse_transcript(PLAIN)
    written = transcripts.to_project_json(parsed.lines, call_id=3)

    again = transcripts.parse_transcript(written)

    assert json.loads(written)["format"] == "deesc-transcript"
    assert [(a.role, a.start, a.text) for a in again.lines] == [(b.role, b.start, b.text) for b in parsed.lines]


def test_vtt_and_text_writers_read_back():
    parsed = transcripts.parse_transcript(PLAIN)

    vtt = transcripts.to_vtt(parsed.lines)
    text = transcripts.to_text(parsed.lines)

    assert "00:00:02.000 --> 00:00:05.000\n<v Agent>Thank you for calling, how can I help?" in vtt
    assert text.splitlines()[1] == "[0:05] Customer: This is the third time I'm calling."
    assert [line.text for line in transcripts.parse_transcript(vtt).lines] == [line.text for line in parsed.lines]
    assert [(line.role, line.start) for line in transcripts.parse_transcript(text).lines] == [
        (line.role, line.start) for line in parsed.lines
    ]


@pytest.mark.parametrize(
    ("raw", "message"),
    [
        (b"", "empty"),
        ("[0:01] Agent: caf\xe9".encode("latin-1"), "not UTF-8"),
        (b"\x89PNG\r\n\x1a\n\x00\x00\x00", "binary"),
        (b'{"utterances": [{"speaker": "Agent"}]}', "no 'text'"),
        (b'{"hello": 1', "not valid JSON"),
        (b"WEBVTT\n\nno cues here\n", "No utterances"),
        (b"just some words with no speaker\n", "line 1: expected"),
    ],
)
def test_bad_transcripts_say_why(tmp_path, raw, message):
    path = tmp_path / "bad.txt"
    path.write_bytes(raw)

    with pytest.raises(DeescError, match=message):
        transcripts.read_transcript(path)


def test_utf16_with_bom_is_read(tmp_path):
    path = tmp_path / "export.txt"
    path.write_bytes(PLAIN.encode("utf-16"))

    assert len(transcripts.read_transcript(path).lines) == 3
