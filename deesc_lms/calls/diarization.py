"""Telling two speakers apart in a mono recording, and which of them is the agent.

Method (docs/decisions/0002-diarization.md): the ASR words are cut into chunks at pauses and
sentence ends (speakers change at pauses in a call); each chunk gets a voice print made of MFCC
means and spreads plus its median pitch; chunks of at least ``MIN_CLUSTER_S`` are clustered in
two by Ward agglomeration, refined by duration-weighted k-means, and the short chunks join the
nearest centre. A BIC test on the frames decides whether there are two voices at all. Roles come
from what each speaker says (the greeting, "how can I help", "I'm calling about") and who speaks
first; an admin can swap them.
"""

from __future__ import annotations

import logging
import re
from dataclasses import dataclass, field
from itertools import permutations

import numpy as np
from scipy.cluster.hierarchy import fcluster, linkage
from scipy.fft import dct

from deesc_lms.calls.asr import Segment, Word

logger = logging.getLogger(__name__)

SAMPLE_RATE = 16_000
FRAME = 400  # 25 ms
HOP = 160  # 10 ms
N_MELS = 40
N_CEPS = 20
PAUSE_S = 0.3
MIN_CLUSTER_S = 0.8


@dataclass
class Turn:
    speaker: int
    start: float
    end: float
    words: list[Word] = field(default_factory=list)
    text: str = ""


# --- features ---------------------------------------------------------------------------------


def _mel_filterbank(n_fft: int = 512) -> np.ndarray:
    def hz_to_mel(hz: np.ndarray) -> np.ndarray:
        return 2595 * np.log10(1 + hz / 700)

    def mel_to_hz(mel: np.ndarray) -> np.ndarray:
        return 700 * (10 ** (mel / 2595) - 1)

    mels = np.linspace(hz_to_mel(np.array(60.0)), hz_to_mel(np.array(7600.0)), N_MELS + 2)
    bins = np.floor((n_fft + 1) * mel_to_hz(mels) / SAMPLE_RATE).astype(int)
    bank = np.zeros((N_MELS, n_fft // 2 + 1))
    for m in range(1, N_MELS + 1):
        left, centre, right = bins[m - 1], bins[m], bins[m + 1]
        for k in range(left, centre):
            bank[m - 1, k] = (k - left) / max(centre - left, 1)
        for k in range(centre, right):
            bank[m - 1, k] = (right - k) / max(right - centre, 1)
    return bank


_BANK = _mel_filterbank()


def frames_of(samples: np.ndarray) -> np.ndarray:
    if len(samples) < FRAME:
        samples = np.pad(samples, (0, FRAME - len(samples)))
    count = 1 + (len(samples) - FRAME) // HOP
    index = np.arange(FRAME)[None, :] + HOP * np.arange(count)[:, None]
    return samples[index]


def mfcc(samples: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """(MFCC 1..19 per 10 ms frame, log energy per frame)."""
    emphasised = np.append(samples[:1], samples[1:] - 0.97 * samples[:-1]).astype(np.float32)
    frames = frames_of(emphasised) * np.hamming(FRAME).astype(np.float32)
    power = np.abs(np.fft.rfft(frames, n=512)) ** 2 / 512
    energy = np.log(power.sum(axis=1) + 1e-10)
    mel = np.log(power @ _BANK.T + 1e-10)
    ceps = dct(mel, type=2, axis=1, norm="ortho")[:, 1:N_CEPS]
    return ceps.astype(np.float32), energy


def pitch(samples: np.ndarray) -> float:
    """Median F0 (Hz) of the voiced 40 ms frames, by normalised autocorrelation; 0 when unvoiced."""
    size, hop = 640, 320
    if len(samples) < size:
        return 0.0
    lo, hi = SAMPLE_RATE // 400, SAMPLE_RATE // 60
    count = 1 + (len(samples) - size) // hop
    index = np.arange(size)[None, :] + hop * np.arange(count)[:, None]
    frames = samples[index] - samples[index].mean(axis=1, keepdims=True)
    spectrum = np.fft.rfft(frames, n=2 * size)
    auto = np.fft.irfft(np.abs(spectrum) ** 2)[:, :size]
    auto /= auto[:, :1] + 1e-10
    lags = auto[:, lo:hi]
    best = lags.argmax(axis=1)
    strength = lags[np.arange(len(best)), best]
    voiced = strength > 0.5
    if not voiced.any():
        return 0.0
    return float(np.median(SAMPLE_RATE / (best[voiced] + lo)))


# --- chunks and clustering --------------------------------------------------------------------


def chunk_words(segments: list[Segment]) -> list[list[Word]]:
    """Words cut at pauses of PAUSE_S and at sentence ends: the places a speaker change can hide."""
    chunks: list[list[Word]] = []
    for segment in segments:
        words = segment.words or [Word(segment.text, segment.start, segment.end, 1.0)]
        current: list[Word] = []
        for word in words:
            if current and (word.start - current[-1].end >= PAUSE_S or current[-1].word.endswith((".", "?", "!"))):
                chunks.append(current)
                current = []
            current.append(word)
        if current:
            chunks.append(current)
    return chunks


def _span(samples: np.ndarray, start: float, end: float) -> np.ndarray:
    return samples[int(start * SAMPLE_RATE) : max(int(end * SAMPLE_RATE), int(start * SAMPLE_RATE) + 1)]


def voice_prints(samples: np.ndarray, chunks: list[list[Word]]) -> tuple[np.ndarray, list[np.ndarray]]:
    """One vector per chunk (MFCC mean and spread, log pitch) and the voiced frames of each chunk."""
    prints, frame_sets = [], []
    for chunk in chunks:
        span = _span(samples, chunk[0].start, chunk[-1].end)
        ceps, energy = mfcc(span)
        voiced = ceps[energy >= np.percentile(energy, 30)] if len(ceps) > 3 else ceps
        f0 = pitch(span)
        prints.append(np.concatenate([voiced.mean(axis=0), voiced.std(axis=0), [np.log(f0) if f0 else 0.0]]))
        frame_sets.append(voiced)
    return np.asarray(prints, dtype=np.float64), frame_sets


def _delta_bic(frames_a: np.ndarray, frames_b: np.ndarray, penalty: float = 1.0) -> float:
    """BIC gain of modelling the frames as two diagonal Gaussians instead of one (> 0: two voices)."""
    both = np.vstack([frames_a, frames_b])
    n, dims = both.shape

    def logdet(x: np.ndarray) -> float:
        return float(np.sum(np.log(x.var(axis=0) + 1e-6)))

    gain = 0.5 * (n * logdet(both) - len(frames_a) * logdet(frames_a) - len(frames_b) * logdet(frames_b))
    return gain - penalty * 0.5 * (2 * dims) * np.log(n)


def cluster_two(prints: np.ndarray, durations: np.ndarray) -> np.ndarray:
    """Labels 0/1 for each chunk (all 0 when fewer than two chunks are long enough to trust)."""
    labels = np.zeros(len(prints), dtype=int)
    long_enough = durations >= MIN_CLUSTER_S
    if long_enough.sum() < 2:
        long_enough = durations >= np.median(durations)
    if long_enough.sum() < 2:
        return labels
    scale = prints[long_enough].std(axis=0) + 1e-6
    centred = (prints - prints[long_enough].mean(axis=0)) / scale
    core = centred[long_enough]
    initial = fcluster(linkage(core, method="ward"), t=2, criterion="maxclust") - 1
    centres = np.vstack(
        [core[initial == k].mean(axis=0) if (initial == k).any() else core.mean(axis=0) for k in (0, 1)]
    )
    weights = durations[long_enough]
    for _ in range(10):
        distance = ((core[:, None, :] - centres[None, :, :]) ** 2).sum(axis=2)
        assigned = distance.argmin(axis=1)
        if len(set(assigned.tolist())) < 2:
            break
        updated = np.vstack([np.average(core[assigned == k], axis=0, weights=weights[assigned == k]) for k in (0, 1)])
        if np.allclose(updated, centres):
            break
        centres = updated
    distance = ((centred[:, None, :] - centres[None, :, :]) ** 2).sum(axis=2)
    return distance.argmin(axis=1)


def diarize(samples: np.ndarray, segments: list[Segment]) -> list[Turn]:
    """Speaker turns (speaker 0 speaks first) for a mono recording and its ASR segments."""
    chunks = chunk_words(segments)
    if not chunks:
        return []
    prints, frame_sets = voice_prints(samples, chunks)
    durations = np.array([c[-1].end - c[0].start for c in chunks])
    labels = cluster_two(prints, durations)
    if len(set(labels.tolist())) == 2:
        frames = [
            np.vstack([f for f, lab in zip(frame_sets, labels, strict=True) if lab == k and len(f)]) for k in (0, 1)
        ]
        if min(len(f) for f in frames) < 50 or _delta_bic(frames[0], frames[1]) <= 0:
            logger.info("diarization: one voice (BIC), %d chunks", len(chunks))
            labels[:] = 0
    if labels[0] != 0:
        labels = 1 - labels
    turns: list[Turn] = []
    for chunk, label in zip(chunks, labels.tolist(), strict=True):
        if turns and turns[-1].speaker == label:
            turns[-1].words.extend(chunk)
            turns[-1].end = chunk[-1].end
        else:
            turns.append(Turn(speaker=label, start=chunk[0].start, end=chunk[-1].end, words=list(chunk)))
    for turn in turns:
        turn.text = " ".join(w.word for w in turn.words).strip()
    return turns


# --- roles ------------------------------------------------------------------------------------

_AGENT_CUES = [
    r"thank(s| you) for (calling|contacting|holding|your patience)",
    r"how (can|may|could) i (help|assist)",
    r"\bmy name is\b",
    r"\bthis is \w+(,)? (from|with|at)\b",
    r"\bspeaking\b",
    r"(anything else|something else) i can",
    r"\blet me (check|look|see|pull)",
    r"\bcan i (have|get) your\b",
    r"\bi (can|will|'ll) (help|check|look|arrange|send|process)",
    r"\bi('m| am) sorry (for|to hear|about)",
    r"\bi understand\b",
    r"\bour (policy|records|system)\b",
    r"\bhave a (great|good|nice) (day|evening)\b",
]
_CUSTOMER_CUES = [
    r"\bi('m| am) calling (about|because|to|regarding)\b",
    r"\bmy (account|order|bill|card|package|parcel|delivery|refund|subscription|phone|internet)\b",
    r"\b(third|second|fourth|fifth) time\b",
    r"\bi (want|need|demand) (to|a|my)\b",
    r"\bi('ve| have) been (waiting|charged|trying)\b",
    r"\byour (company|service|website|people)\b",
    r"\bspeak to (a|your) (manager|supervisor)\b",
    r"\bthis is ridiculous\b",
]


def roles_from_content(utterances: list[tuple[str, str]]) -> dict[str, str]:
    """{speaker: 'agent' | 'customer'} for a two-speaker conversation of (speaker, text) in order.

    The speaker who answers ("thank you for calling", "how can I help") and speaks first is the
    agent; with no cue either way the first speaker is taken as the agent."""
    speakers = list(dict.fromkeys(s for s, _ in utterances))
    if not speakers:
        return {}
    scores = dict.fromkeys(speakers, 0.0)
    scores[speakers[0]] += 0.5  # contact centres answer first
    for speaker, text in utterances:
        lowered = text.lower()
        scores[speaker] += sum(1.0 for cue in _AGENT_CUES if re.search(cue, lowered))
        scores[speaker] -= sum(1.0 for cue in _CUSTOMER_CUES if re.search(cue, lowered))
    agent = max(speakers, key=lambda s: scores[s])
    others = [s for s in speakers if s != agent]
    customer = min(others, key=lambda s: scores[s]) if others else None
    return {s: "agent" if s == agent else "customer" if s == customer else "unknown" for s in speakers}


# --- measuring --------------------------------------------------------------------------------


def word_speaker_error(reference: list[int], hypothesis: list[int]) -> float:
    """Share of words given the wrong speaker, under the best matching of speaker labels."""
    if not reference:
        return 0.0
    labels = sorted(set(reference) | set(hypothesis))
    best = len(reference)
    for mapping in permutations(labels):
        relabel = dict(zip(labels, mapping, strict=True))
        best = min(best, sum(1 for r, h in zip(reference, hypothesis, strict=True) if relabel[h] != r))
    return best / len(reference)
