"""Shared fixtures: the committed data, its preprocessed and trained forms, an offline session.

Everything runs offline: an autouse fixture refuses network connections, so a test that
would reach AWS (or the SDK's telemetry) fails instead of passing by luck.
"""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import tarfile
from pathlib import Path

import pytest

REPO_ROOT = Path(__file__).resolve().parent.parent
DATA_CSV = REPO_ROOT / "data" / "abalone.csv"
STEP_SCRIPTS = REPO_ROOT / "pipelines" / "abalone"

# The SDK reads these; fake values keep botocore from looking for real credentials.
os.environ.update(
    AWS_DEFAULT_REGION="eu-west-1",
    AWS_ACCESS_KEY_ID="testing",
    AWS_SECRET_ACCESS_KEY="testing",
    SAGEMAKER_SUPPRESS_V2_WARNING="1",
)
for name in ("AWS_PROFILE", "AWS_SESSION_TOKEN", "AWS_CONFIG_FILE", "AWS_SHARED_CREDENTIALS_FILE"):
    os.environ.pop(name, None)


@pytest.fixture(autouse=True, scope="session")
def no_network():
    def refuse(*_args, **_kwargs):
        raise OSError("tests must not use the network")

    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(socket.socket, "connect", refuse)
        patch.setattr(socket, "create_connection", refuse)
        yield


def run_script(script: str, *args: str, env: "dict[str, str] | None" = None) -> subprocess.CompletedProcess:
    """Run a step script the way its container does: `python3 <script> <args>`."""
    return subprocess.run(
        [sys.executable, str(STEP_SCRIPTS / script), *args],
        capture_output=True,
        text=True,
        env={**os.environ, **(env or {})},
        timeout=120,
    )


@pytest.fixture(scope="session")
def preprocessed(tmp_path_factory) -> Path:
    """data/abalone.csv run through preprocess.py: train/, validation/, test/, transform/."""
    out = tmp_path_factory.mktemp("preprocessed")
    result = run_script("preprocess.py", "--input", str(DATA_CSV), "--output-dir", str(out))
    assert result.returncode == 0, result.stderr
    return out


@pytest.fixture(scope="session")
def model_dir(preprocessed, tmp_path_factory) -> Path:
    """train.py run on the preprocessed data with default hyperparameters, located by SM_* variables."""
    out = tmp_path_factory.mktemp("model")
    result = run_script(
        "train.py",
        env={
            "SM_MODEL_DIR": str(out),
            "SM_CHANNEL_TRAIN": str(preprocessed / "train"),
            "SM_CHANNEL_VALIDATION": str(preprocessed / "validation"),
            "SM_CHANNEL_TRANSFORM": str(preprocessed / "transform"),
        },
    )
    assert result.returncode == 0, result.stderr
    return out


@pytest.fixture(scope="session")
def model_archive(model_dir, tmp_path_factory) -> Path:
    """model.tar.gz as SageMaker packs the model directory: its files at the archive root."""
    archive = tmp_path_factory.mktemp("artifact") / "model.tar.gz"
    with tarfile.open(archive, "w:gz") as tar:
        for path in sorted(model_dir.iterdir()):
            tar.add(path, arcname=path.name)
    return archive
