"""Fixtures of the parity tests (helpers in parity_support.py)."""

from __future__ import annotations

from pathlib import Path

import pytest

from parity_support import SHARED_DATA


@pytest.fixture(scope="session")
def shared_data() -> Path:
    """The real Abalone data set; without it the parity tests fail rather than skip."""
    if not SHARED_DATA.is_file():
        pytest.fail(
            f"shared Abalone data not found at {SHARED_DATA} (expected <repo>/../shared/data/abalone.data, "
            "the UCI file without header); the parity tests need the real data set and do not skip",
            pytrace=False,
        )
    return SHARED_DATA
