"""Shared fixtures: the model under test (tests/model_under_test.py: MODEL_ARTIFACT or one trained
from the committed sample), valid records derived from its transform.json, and a Service on it."""

from __future__ import annotations

import io

import pytest

import model_under_test
from model_under_test import SERVICE_DIR, TEST_PACKAGE_ARN, TEST_PACKAGE_VERSION  # noqa: F401  (re-exported for the tests)

from app.config import load_settings  # noqa: E402
from app.jsonlog import JsonLogger  # noqa: E402
from app.model import load_model  # noqa: E402
from app.service import Service  # noqa: E402


@pytest.fixture(scope="session")
def model_records() -> list[dict]:
    """500 valid request records for the model under test: its examples, then records across the training range."""
    return model_under_test.valid_records()


@pytest.fixture(scope="session")
def model_dir() -> str:
    """A model directory holding exactly the artifact contract, plus the tests' model-package.json."""
    return model_under_test.MODEL_DIR


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
