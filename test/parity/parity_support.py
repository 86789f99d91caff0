"""What the parity tests share: the repository's paths, the Abalone input fields and running a step.

Imported by name by test_build_serve_parity.py and test_feature_variants.py (pytest puts this folder on
sys.path); the shared data fixture is in conftest.py.
"""

from __future__ import annotations

import os
import subprocess
from collections.abc import Iterable
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parents[2]
SHARED_DATA = REPO_ROOT.parent / "shared" / "data" / "abalone.data"

# The header the ModelBuild data file (seed-repos/model-build/data/abalone.csv) carries, without the rings label.
ABALONE_FIELDS = ["sex", "length", "diameter", "height", "whole_weight", "shucked_weight", "viscera_weight", "shell_weight"]


def run(args: list[str], *, cwd: Path, env: dict[str, str], what: str, timeout: int) -> subprocess.CompletedProcess:
    """Runs one step; a failure shows the ends of its output."""
    result = subprocess.run(args, cwd=cwd, env=env, capture_output=True, text=True, timeout=timeout)
    assert result.returncode == 0, (
        f"{what} failed (exit {result.returncode})\n--- stdout\n{result.stdout[-6000:]}\n--- stderr\n{result.stderr[-4000:]}")
    return result


def subprocess_env(drop: Iterable[str] = (), **extra: str) -> dict[str, str]:
    """The caller's environment without `drop`, writing no bytecode caches inside seed-repos/, plus `extra`."""
    dropped = set(drop)
    env = {k: v for k, v in os.environ.items() if k not in dropped}
    return {**env, "PYTHONDONTWRITEBYTECODE": "1", **extra}
