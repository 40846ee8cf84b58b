"""Inline SVG charts (no JavaScript, no CDN), shared by the browser page and the PDF report."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe

from deesc_lms.progress.selectors import ScorePoint

PRACTICE = "#2a6f97"
CALL = "#e76f51"


def score_timeline(
    points: Sequence[ScorePoint],
    *,
    training_start: datetime | None = None,
    training_end: datetime | None = None,
    width: int = 640,
    height: int = 220,
) -> SafeString:
    """Scores 0..100 over time: practice attempts in blue, real calls in orange, training shaded."""
    pad_l, pad_r, pad_t, pad_b = 36, 12, 12, 28
    inner_w, inner_h = width - pad_l - pad_r, height - pad_t - pad_b
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}" role="img" aria-label="Scores over time">'
    ]
    for level in (0, 50, 70, 100):
        y = pad_t + inner_h * (1 - level / 100)
        parts.append(f'<line x1="{pad_l}" x2="{width - pad_r}" y1="{y:.1f}" y2="{y:.1f}" stroke="#e3e6eb"/>')
        parts.append(
            f'<text x="{pad_l - 6}" y="{y + 4:.1f}" font-size="10" text-anchor="end" fill="#667085">{level}</text>'
        )
    if not points:
        parts.append(
            f'<text x="{width / 2}" y="{height / 2}" text-anchor="middle" fill="#667085">No scores yet</text></svg>'
        )
        return mark_safe("".join(parts))  # noqa: S308 (numbers and fixed text only)
    times = [p.at.timestamp() for p in points]
    for t in (training_start, training_end):
        if t is not None:
            times.append(t.timestamp())
    lo, hi = min(times), max(times)
    span = (hi - lo) or 1.0

    def x(ts: float) -> float:
        return pad_l + inner_w * (ts - lo) / span

    if training_start is not None:
        end = training_end or training_start
        x0, x1 = x(training_start.timestamp()), x(end.timestamp())
        parts.append(
            f'<rect x="{x0:.1f}" y="{pad_t}" width="{max(2.0, x1 - x0):.1f}" height="{inner_h}" fill="#f1f5ea"/>'
        )
        # The label sits inside the chart whichever edge the training is near.
        anchor, tx = ("end", x0 - 3) if x0 > width - pad_r - 60 else ("start", x0 + 3)
        parts.append(
            f'<text x="{tx:.1f}" y="{pad_t + 10}" font-size="10" text-anchor="{anchor}" fill="#4f772d">training</text>'
        )
    for source, colour in (("practice", PRACTICE), ("call", CALL)):
        series = [p for p in points if p.source == source]
        coords = [(x(p.at.timestamp()), pad_t + inner_h * (1 - p.score / 100)) for p in series]
        if len(coords) > 1:
            path = " ".join(f"{cx:.1f},{cy:.1f}" for cx, cy in coords)
            parts.append(f'<polyline points="{path}" fill="none" stroke="{colour}" stroke-width="1.5" opacity=".6"/>')
        for (cx, cy), p in zip(coords, series, strict=True):
            title = escape(f"{p.label}: {p.score:.0f}")
            parts.append(f'<circle cx="{cx:.1f}" cy="{cy:.1f}" r="3.5" fill="{colour}"><title>{title}</title></circle>')
    parts.append(f'<text x="{pad_l}" y="{height - 8}" font-size="10" fill="{PRACTICE}">● practice</text>')
    parts.append(f'<text x="{pad_l + 80}" y="{height - 8}" font-size="10" fill="{CALL}">● real calls</text>')
    parts.append("</svg>")
    return mark_safe("".join(parts))  # noqa: S308 (labels escaped above)


def paired_bars(
    rows: Sequence[tuple[str, float | None, float | None]], *, width: int = 640, unit: str = "%"
) -> SafeString:
    """Before/after bars per row label (values 0..1 shown as percentages)."""
    row_h, label_w = 26, 170
    height = 20 + row_h * max(1, len(rows))
    bar_w = width - label_w - 60
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}" role="img" aria-label="Before and after">'
    ]
    for i, (label, before, after) in enumerate(rows):
        y = 10 + i * row_h
        parts.append(f'<text x="0" y="{y + 14}" font-size="11" fill="#1d2330">{escape(label)}</text>')
        for j, (value, colour) in enumerate(((before, "#98a2b3"), (after, "#2a6f97"))):
            if value is None:
                continue
            w = bar_w * max(0.0, min(1.0, value))
            parts.append(f'<rect x="{label_w}" y="{y + j * 10}" width="{w:.1f}" height="9" fill="{colour}"/>')
            parts.append(
                f'<text x="{label_w + w + 4:.1f}" y="{y + j * 10 + 8}" font-size="9" fill="#475467">{value * 100:.0f}{unit}</text>'
            )
    parts.append("</svg>")
    return mark_safe("".join(parts))  # noqa: S308 (labels escaped above)
