"""Management commands on a database that was never migrated: a clear error and exit code, no traceback."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent


@pytest.mark.parametrize(
    "command",
    [
        ["grade", "--rubric", "combined", "--text", "I'm sorry, let me fix that now."],
        ["flags", "--json"],
        ["analyze", "--all"],
    ],
)
def test_a_command_on_an_unmigrated_database_says_to_migrate(tmp_path: Path, command: list[str]) -> None:
    database = tmp_path / "empty.sqlite3"
    env = {**os.environ, "DATABASE_URL": f"sqlite:///{database}", "DJANGO_SETTINGS_MODULE": "deesc_lms.settings"}
    done = subprocess.run(
        [sys.executable, "manage.py", *command], cwd=ROOT, env=env, capture_output=True, text=True, timeout=120
    )
    assert done.returncode == 1
    assert "is not set up" in done.stderr and "python manage.py migrate" in done.stderr
    assert "Traceback" not in done.stderr
