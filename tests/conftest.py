"""Shared fixtures. Tests run offline against the real components installed here."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
# The shared reference audio and SCORM schemas sit beside the checkout; DEESC_SHARED_DATA points a
# clone elsewhere (e.g. /tmp/fresh) at them.
SHARED_DATA = Path(os.environ.get("DEESC_SHARED_DATA") or ROOT.parent / "shared" / "data")
FIXTURES = ROOT / "fixtures"


@pytest.fixture(autouse=True)
def _media_root(settings, tmp_path):
    """Each test writes media to its own folder, so no test sees another's files."""
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture
def shared_data() -> Path:
    if not SHARED_DATA.exists():
        pytest.skip(f"reference data not found at {SHARED_DATA} (set DEESC_SHARED_DATA)")
    return SHARED_DATA
