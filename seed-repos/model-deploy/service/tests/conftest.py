"""Shared fixtures: a real xgboost model trained from the committed sample, and a Service on it."""

from __future__ import annotations

import io
import os
import sys

import pytest

SERVICE_DIR = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
SCRIPTS_DIR = os.path.join(SERVICE_DIR, "scripts")
SAMPLE_CSV = os.path.join(SERVICE_DIR, "data", "abalone-sample.csv")
for path in (SERVICE_DIR, SCRIPTS_DIR):
    if path not in sys.path:
        sys.path.insert(0, path)

import train_local_model  # noqa: E402  (scripts/, made importable above)

from app.config import load_settings  # noqa: E402
from app.jsonlog import JsonLogger  # noqa: E402
from app.model import load_model  # noqa: E402
from app.service import Service  # noqa: E402

TEST_PACKAGE_ARN = "arn:aws:sagemaker:eu-west-1:111122223333:model-package/abalone-test/7"
TEST_PACKAGE_VERSION = 7


@pytest.fixture(scope="session")
def sample_records() -> list[dict]:
    """The committed sample's rows, as request records plus their ``rings`` label."""
    return train_local_model.read_records(SAMPLE_CSV)


@pytest.fixture(scope="session")
def model_dir(tmp_path_factory) -> str:
    """A model directory holding exactly the artifact contract, trained from the sample."""
    out = str(tmp_path_factory.mktemp("model"))
    train_local_model.train_model_dir(SAMPLE_CSV, out, package_arn=TEST_PACKAGE_ARN, version=TEST_PACKAGE_VERSION)
    return out


@pytest.fixture(scope="session")
def loaded_model(model_dir):
    return load_model(model_dir)


@pytest.fixture
def log_stream() -> io.StringIO:
    return io.StringIO()


@pytest.fixture
def make_service(loaded_model, model_dir, log_stream):
    """Build a Service from environment-style settings, logging into ``log_stream``."""
    def build(**env: str) -> Service:
        settings = load_settings({"MODEL_DIR": model_dir, **env})
        return Service(settings, loaded_model, JsonLogger(log_stream))
    return build


@pytest.fixture
def service(make_service) -> Service:
    return make_service()
