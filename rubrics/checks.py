"""`manage.py check` (and every management command and server start) reports a stance model the
shipped rubrics cannot use, instead of grading going quietly back to the rules."""

from __future__ import annotations

from typing import Any

from django.core import checks

from rubrics import stance


@checks.register()
def stance_weights(app_configs: Any = None, **kwargs: Any) -> list[checks.CheckMessage]:
    try:
        stance.load()
    except (FileNotFoundError, ValueError) as exc:
        return [
            checks.Error(
                str(exc),
                hint="The no-defensive-language criteria of the shipped rubrics set stance_threshold.",
                id="rubrics.E001",
            )
        ]
    return []
