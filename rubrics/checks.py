"""`manage.py check` (and every management command and server start) reports a learned model the
shipped rubrics cannot use, instead of grading going quietly back to the rules."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.core import checks

from rubrics import restate_model, stance


def _loads(load: Callable[[], object], hint: str, check_id: str) -> list[checks.CheckMessage]:
    try:
        load()
    except (FileNotFoundError, ValueError) as exc:
        return [checks.Error(str(exc), hint=hint, id=check_id)]
    return []


@checks.register()
def stance_weights(app_configs: Any = None, **kwargs: Any) -> list[checks.CheckMessage]:
    hint = "The no-defensive-language criteria of the shipped rubrics set stance_threshold."
    return _loads(stance.load, hint, "rubrics.E001")


@checks.register()
def restate_weights(app_configs: Any = None, **kwargs: Any) -> list[checks.CheckMessage]:
    hint = "The restates-issue criteria of the shipped step-3 and combined rubrics set second_reading."
    return _loads(restate_model.load, hint, "rubrics.E002")
