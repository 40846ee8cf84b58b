"""What set an escalation off: keyword rules plus an embedding classifier trained from examples.

Plain Python: the taxonomy arrives as `TriggerSpec`s (from the Trigger table or fixtures/triggers.yaml)
and the classifier never touches the database. Rules are fast and precise but brittle; the embedding
side (all-MiniLM-L6-v2, nearest labelled examples) carries the wording the rules miss. When neither is
confident the answer is `unknown`, never a guess.
"""

from __future__ import annotations

import hashlib
import logging
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import yaml

logger = logging.getLogger(__name__)

UNKNOWN = "unknown"
DEFAULT_TAXONOMY = Path(__file__).resolve().parent.parent.parent / "fixtures" / "triggers.yaml"

# A trigger needs at least this much combined evidence, and this much lead over the runner-up.
MIN_SCORE = 0.42
MIN_CONFIDENCE = 0.2
# Weight of one keyword hit relative to cosine similarity; capped so rules alone never swamp meaning.
RULE_WEIGHT = 0.12
RULE_CAP = 3.0
TOP_K = 3

Encoder = Callable[[Sequence[str]], np.ndarray]


@dataclass(frozen=True)
class TriggerSpec:
    slug: str
    name: str
    keywords: tuple[str, ...] = ()
    agent_keywords: tuple[str, ...] = ()
    examples: tuple[str, ...] = ()
    description: str = ""


@dataclass(frozen=True)
class ContextTurn:
    """One customer utterance near the moment, weighted by how close it is to the moment."""

    text: str
    weight: float


@dataclass
class TriggerResult:
    slug: str
    confidence: float
    scores: dict[str, float] = field(default_factory=dict)
    rule_hits: dict[str, list[str]] = field(default_factory=dict)

    def as_dict(self) -> dict[str, Any]:
        return {
            "slug": self.slug,
            "confidence": round(self.confidence, 3),
            "scores": {k: round(v, 3) for k, v in sorted(self.scores.items(), key=lambda kv: -kv[1])},
            "rule_hits": self.rule_hits,
        }


def specs_from_yaml(path: Path = DEFAULT_TAXONOMY) -> list[TriggerSpec]:
    rows = yaml.safe_load(path.read_text(encoding="utf-8")) or []
    return [spec_from_mapping(row) for row in rows]


def spec_from_mapping(row: dict[str, Any]) -> TriggerSpec:
    return TriggerSpec(
        slug=str(row["slug"]),
        name=str(row.get("name") or row["slug"]),
        description=str(row.get("description") or ""),
        keywords=tuple(str(k) for k in row.get("keywords") or ()),
        agent_keywords=tuple(str(k) for k in row.get("agent_keywords") or ()),
        examples=tuple(str(e) for e in row.get("examples") or ()),
    )


def invalid_patterns(patterns: Sequence[str]) -> list[str]:
    """The patterns that are not valid regular expressions, with the reason (for admin validation)."""
    bad = []
    for pattern in patterns:
        try:
            re.compile(pattern, re.IGNORECASE)
        except re.error as exc:
            bad.append(f"{pattern!r}: {exc}")
    return bad


def _compile(patterns: Sequence[str], slug: str) -> list[re.Pattern[str]]:
    compiled = []
    for pattern in patterns:
        try:
            compiled.append(re.compile(pattern, re.IGNORECASE))
        except re.error:
            logger.warning("trigger %s: skipping invalid pattern %r", slug, pattern)
    return compiled


def normalise(text: str) -> str:
    """Curly quotes and dashes to plain ones, so rules written for keyboards match ASR and chat text."""
    return text.replace("\u2019", "'").replace("\u2018", "'").replace("\u2014", " ").replace("\u2013", " ")


class TriggerClassifier:
    """Scores each trigger for an escalation context; `classify` returns the best or `unknown`."""

    def __init__(self, specs: Sequence[TriggerSpec], encoder: Encoder | None = None):
        self.specs = [s for s in specs if s.slug != UNKNOWN]
        self._encoder = encoder
        self._rules = {s.slug: _compile(s.keywords, s.slug) for s in self.specs}
        self._agent_rules = {s.slug: _compile(s.agent_keywords, s.slug) for s in self.specs}
        self._example_vectors: dict[str, np.ndarray] | None = None
        self.fingerprint = hashlib.sha256(
            repr([(s.slug, s.keywords, s.agent_keywords, s.examples) for s in self.specs]).encode()
        ).hexdigest()[:16]

    @property
    def encoder(self) -> Encoder:
        if self._encoder is None:
            from deesc_lms.calls.embeddings import encode

            self._encoder = encode
        return self._encoder

    def _examples(self) -> dict[str, np.ndarray]:
        if self._example_vectors is None:
            texts: list[str] = []
            owners: list[str] = []
            for spec in self.specs:
                for example in spec.examples:
                    texts.append(example)
                    owners.append(spec.slug)
            vectors = self.encoder(texts) if texts else np.zeros((0, 384), dtype=np.float32)
            self._example_vectors = {
                spec.slug: vectors[[i for i, o in enumerate(owners) if o == spec.slug]] for spec in self.specs
            }
        return self._example_vectors

    def rule_hits(self, context: Sequence[ContextTurn], agent_text: str) -> tuple[dict[str, float], dict[str, list[str]]]:
        scores: dict[str, float] = {}
        hits: dict[str, list[str]] = {}
        for spec in self.specs:
            score = 0.0
            for turn in context:
                text = normalise(turn.text)
                matched = [m.group(0) for rule in self._rules[spec.slug] if (m := rule.search(text))]
                if matched:
                    score += turn.weight * min(len(matched), 2)
                    hits.setdefault(spec.slug, []).extend(matched[:2])
            if agent_text:
                text = normalise(agent_text)
                matched = [m.group(0) for rule in self._agent_rules[spec.slug] if (m := rule.search(text))]
                if matched:
                    score += 0.8 * min(len(matched), 2)
                    hits.setdefault(spec.slug, []).extend(f"agent: {m}" for m in matched[:2])
            if score:
                scores[spec.slug] = min(score, RULE_CAP)
        return scores, hits

    def similarity(self, context: Sequence[ContextTurn], vectors: np.ndarray | None = None) -> dict[str, float]:
        """Per trigger: the weighted mean of the top-k cosine similarities to its examples, best turn wins."""
        examples = self._examples()
        if not context:
            return {}
        if vectors is None:
            vectors = self.encoder([t.text for t in context])
        out: dict[str, float] = {}
        for spec in self.specs:
            ex = examples.get(spec.slug)
            if ex is None or len(ex) == 0:
                continue
            sims = vectors @ ex.T  # (turns, examples)
            k = min(TOP_K, sims.shape[1])
            top = np.sort(sims, axis=1)[:, -k:].mean(axis=1)
            weights = np.array([t.weight for t in context], dtype=np.float32)
            out[spec.slug] = float((top * weights).max())
        return out

    def classify(
        self, context: Sequence[ContextTurn], agent_text: str = "", *, vectors: np.ndarray | None = None
    ) -> TriggerResult:
        if not self.specs or not any(t.text.strip() for t in context):
            return TriggerResult(UNKNOWN, 0.0)
        rules, hits = self.rule_hits(context, agent_text)
        sims = self.similarity(context, vectors)
        scores = {s.slug: sims.get(s.slug, 0.0) + RULE_WEIGHT * rules.get(s.slug, 0.0) for s in self.specs}
        ranked = sorted(scores.items(), key=lambda kv: -kv[1])
        best_slug, best = ranked[0]
        runner_up = ranked[1][1] if len(ranked) > 1 else 0.0
        # Confidence: how far ahead of the runner-up, scaled so a clear 0.15 lead reads as ~0.9.
        confidence = float(min(1.0, max(0.0, (best - runner_up) * 6.0)))
        if best < MIN_SCORE or confidence < MIN_CONFIDENCE:
            return TriggerResult(UNKNOWN, confidence, scores, hits)
        return TriggerResult(best_slug, confidence, scores, hits)
