"""What set an escalation off: keyword rules plus an embedding classifier trained from examples.

Plain Python: the taxonomy arrives as `TriggerSpec`s (from the Trigger table or fixtures/triggers.yaml)
and the classifier never touches the database. Rules are fast and precise but brittle; the embedding
side (all-MiniLM-L6-v2, nearest labelled examples) carries the wording the rules miss. When neither is
confident the answer is `unknown`, never a guess.
"""

from __future__ import annotations

import hashlib
import logging
import math
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

import numpy as np
import yaml

logger = logging.getLogger(__name__)

UNKNOWN = "unknown"
DEFAULT_TAXONOMY = Path(__file__).resolve().parent.parent.parent / "fixtures" / "triggers.yaml"
# Customer turns at labelled escalation moments of reviewed calls (see trigger_examples): more examples,
# in callers' own words, for the default taxonomy.
DEFAULT_EXAMPLES = DEFAULT_TAXONOMY.with_name("trigger_examples.yaml")

# Below this probability the answer is `unknown`: a coach would rather see "unknown" than a guess.
MIN_PROBABILITY = 0.35
MIN_SUPPORT = 0.4
# Log-odds one weighted keyword hit adds; capped so rules alone never swamp meaning.
RULE_LOGIT = 0.9
RULE_CAP = 3.0
# The agent turn just before the moment is usually what the customer is reacting to ("that's our
# policy", "I'll transfer you", "calm down"), so its rule hits count more than one customer turn's.
AGENT_RULE_WEIGHT = 1.2
# The agent turn before that still sets the scene, at less than half the weight.
EARLIER_AGENT_RULE_WEIGHT = 0.5
# Unit vectors give cosine logits in -1..1; the temperature lets the regression be decisive.
TEMPERATURE = 10.0

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


def specs_from_yaml(path: Path = DEFAULT_TAXONOMY, examples_path: Path | None = DEFAULT_EXAMPLES) -> list[TriggerSpec]:
    """The taxonomy in `path`; for the shipped taxonomy, with the harvested examples of `examples_path`
    added to each trigger's own (a taxonomy of one's own keeps exactly its own examples)."""
    rows = yaml.safe_load(path.read_text(encoding="utf-8")) or []
    specs = [spec_from_mapping(row) for row in rows]
    if examples_path is None or path.resolve() != DEFAULT_TAXONOMY.resolve() or not examples_path.exists():
        return specs
    extra = yaml.safe_load(examples_path.read_text(encoding="utf-8")) or {}
    return with_examples(specs, {str(slug): [str(e) for e in texts or ()] for slug, texts in extra.items()})


def with_examples(specs: Sequence[TriggerSpec], extra: dict[str, list[str]]) -> list[TriggerSpec]:
    """`specs` with `extra[slug]` appended to each trigger's examples (an example it has already, once)."""
    out = []
    for spec in specs:
        own = {e.lower() for e in spec.examples}
        more = tuple(dict.fromkeys(e for e in extra.get(spec.slug, ()) if e.lower() not in own))
        out.append(replace(spec, examples=spec.examples + more))
    return out


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
        self._weights: tuple[np.ndarray, np.ndarray] | None = None
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
            self._fit(vectors, owners)
        return self._example_vectors

    def _fit(self, vectors: np.ndarray, owners: list[str]) -> None:
        """Softmax regression on the example embeddings (L2-regularised, a few hundred steps of GD)."""
        slugs = [s.slug for s in self.specs]
        if len(vectors) == 0 or len(set(owners)) < 2:
            self._weights = None
            return
        y = np.array([slugs.index(o) for o in owners])
        onehot = np.eye(len(slugs), dtype=np.float32)[y]
        w = np.zeros((vectors.shape[1], len(slugs)), dtype=np.float32)
        b = np.zeros(len(slugs), dtype=np.float32)
        lr, l2 = 2.0, 1e-3
        for _ in range(400):
            logits = TEMPERATURE * (vectors @ w + b)
            logits -= logits.max(axis=1, keepdims=True)
            p = np.exp(logits)
            p /= p.sum(axis=1, keepdims=True)
            grad = (p - onehot) / len(vectors)
            w -= lr * (vectors.T @ grad + l2 * w)
            b -= lr * grad.sum(axis=0)
        self._weights = (w, b)

    def probabilities(self, context: Sequence[ContextTurn], vectors: np.ndarray | None = None) -> dict[str, float]:
        """Per trigger: the classifier's probability, averaged over the context turns by weight."""
        self._examples()
        if not context or self._weights is None:
            return {}
        if vectors is None:
            vectors = self.encoder([t.text for t in context])
        w, b = self._weights
        logits = TEMPERATURE * (vectors @ w + b)
        logits -= logits.max(axis=1, keepdims=True)
        p = np.exp(logits)
        p /= p.sum(axis=1, keepdims=True)
        weights = np.array([t.weight for t in context], dtype=np.float32)
        mean = (p * weights[:, None]).sum(axis=0) / weights.sum()
        return {spec.slug: float(mean[i]) for i, spec in enumerate(self.specs)}

    def support(self, slug: str, vectors: np.ndarray) -> float:
        """Cosine similarity of the closest context turn to the closest example of `slug`."""
        examples = self._examples().get(slug)
        if examples is None or len(examples) == 0 or len(vectors) == 0:
            return 0.0
        return float((vectors @ examples.T).max())

    def rule_hits(
        self, context: Sequence[ContextTurn], agent_text: str, earlier_agent_text: str = ""
    ) -> tuple[dict[str, float], dict[str, list[str]]]:
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
            for said, weight in ((agent_text, AGENT_RULE_WEIGHT), (earlier_agent_text, EARLIER_AGENT_RULE_WEIGHT)):
                if not said:
                    continue
                text = normalise(said)
                matched = [m.group(0) for rule in self._agent_rules[spec.slug] if (m := rule.search(text))]
                if matched:
                    score += weight * min(len(matched), 2)
                    hits.setdefault(spec.slug, []).extend(f"agent: {m}" for m in matched[:2])
            if score:
                scores[spec.slug] = min(score, RULE_CAP)
        return scores, hits

    def classify(
        self,
        context: Sequence[ContextTurn],
        agent_text: str = "",
        *,
        vectors: np.ndarray | None = None,
        earlier_agent_text: str = "",
    ) -> TriggerResult:
        """The best trigger with its probability, or `unknown` when it is below MIN_PROBABILITY."""
        if not self.specs or not any(t.text.strip() for t in context):
            return TriggerResult(UNKNOWN, 0.0)
        rules, hits = self.rule_hits(context, agent_text, earlier_agent_text)
        if vectors is None:
            vectors = self.encoder([t.text for t in context])
        probs = self.probabilities(context, vectors)
        # Rules add log-odds to the classifier's belief: a hit moves it, it does not decide alone.
        logits = {
            s.slug: math.log(max(probs.get(s.slug, 1.0 / len(self.specs)), 1e-6)) + RULE_LOGIT * rules.get(s.slug, 0.0)
            for s in self.specs
        }
        top = max(logits.values())
        exp = {k: math.exp(v - top) for k, v in logits.items()}
        total = sum(exp.values())
        scores = {k: v / total for k, v in exp.items()}
        best_slug, best = max(scores.items(), key=lambda kv: kv[1])
        if best < MIN_PROBABILITY:
            return TriggerResult(UNKNOWN, best, scores, hits)
        # Open set: the classifier always spreads belief over known triggers, so off-topic talk needs
        # a nearest labelled example that is actually close, or a rule that fired.
        if not rules.get(best_slug) and self.support(best_slug, vectors) < MIN_SUPPORT:
            return TriggerResult(UNKNOWN, best, scores, hits)
        return TriggerResult(best_slug, best, scores, hits)
