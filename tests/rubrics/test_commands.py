"""`manage.py grade` and `manage.py load_rubrics`."""

from __future__ import annotations

import json
from io import StringIO
from pathlib import Path

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from rubrics.models import CoachScore, RubricVersion
from tests.rubrics.conftest import BAD, CUSTOMER, GOOD

pytestmark = pytest.mark.django_db
ROOT = Path(__file__).resolve().parents[2]


def grade(*args: str) -> dict:
    out = StringIO()
    call_command("grade", *args, "--json", stdout=out)
    return json.loads(out.getvalue())


def test_grade_prints_json_and_loads_the_defaults_when_needed(embed):
    good = grade("--rubric", "combined", "--text", GOOD, "--customer", CUSTOMER)
    assert good["passed"] is True and 0 <= good["score"] <= 100
    assert good["rubric_version"]["slug"] == "combined" and good["rubric_version"]["number"] == 1
    first = good["criteria"][0]
    assert {"slug", "level", "points", "evidence", "feedback"} <= set(first)
    bad = grade("--rubric", "combined", "--text", BAD)
    defensive = next(c for c in bad["criteria"] if c["slug"] == "no-defensive-language")
    assert bad["passed"] is False and defensive["evidence"]


def test_grade_errors_are_one_line(defaults):
    with pytest.raises(CommandError, match="empty"):
        call_command("grade", "--rubric", "combined", "--text", "  ")
    with pytest.raises(CommandError, match="No published rubric"):
        call_command("grade", "--rubric", "missing", "--text", "hello there")
    with pytest.raises(CommandError, match="No audio file"):
        call_command("grade", "--rubric", "combined", "--audio", "/nonexistent.wav")


def test_load_rubrics_is_idempotent_and_loads_the_calibration_set(db):
    call_command("load_rubrics", stdout=StringIO())
    call_command("load_rubrics", "--calibration", str(ROOT / "fixtures" / "calibration"), stdout=StringIO())
    assert RubricVersion.objects.count() == 7
    assert CoachScore.objects.filter(coach_name="calibration set").count() >= 150 * 2
