"""Settings come from the environment: safe production checks, and the embedded SQLite in WAL mode."""

from __future__ import annotations

import os
import sqlite3
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def _manage(*args: str, **env: str) -> subprocess.CompletedProcess[str]:
    clean = {
        k: v for k, v in os.environ.items() if k not in {"DATABASE_URL", "SECRET_KEY", "DEBUG", "DEESC_PRODUCTION"}
    }
    return subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=ROOT,
        env={**clean, **env},
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_production_refuses_to_start_without_a_secret_key() -> None:
    result = _manage("check", DEESC_PRODUCTION="1", DEBUG="0")
    assert result.returncode != 0
    assert "SECRET_KEY must be set" in result.stderr


def test_production_refuses_debug() -> None:
    result = _manage("check", DEESC_PRODUCTION="1", DEBUG="1", SECRET_KEY="x" * 50)
    assert result.returncode != 0
    assert "DEBUG must be off" in result.stderr


def test_production_starts_with_a_key_and_debug_off() -> None:
    result = _manage("check", DEESC_PRODUCTION="1", DEBUG="0", SECRET_KEY="x" * 50, ALLOWED_HOSTS="deesc.example.com")
    assert result.returncode == 0, result.stderr


def test_embedded_database_is_sqlite_in_wal_mode(tmp_path: Path) -> None:
    result = _manage("migrate", "--noinput", "-v", "0", DEESC_DATA_DIR=str(tmp_path))
    assert result.returncode == 0, result.stderr
    with sqlite3.connect(tmp_path / "deesc.sqlite3") as db:
        assert db.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
