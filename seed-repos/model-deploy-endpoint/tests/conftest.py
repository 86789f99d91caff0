"""Shared fixtures: a real XGBoost model artifact, and the container's real serving stack
(sagemaker-containers 2.8.6.post2) serving it.

The artifact is the one MODEL_ARTIFACT names, else a model trained on data/abalone-sample.csv
(model_artifact.py); it has the layout ModelBuild writes into model.tar.gz: xgboost-model.json,
transform.json and model-info.json, and lies where the library looks for it (container_compat).
Tests take field names, categories, ranges and good records from the loaded model's contract
(``contract``), never from a list of their own.

Before anything imports sagemaker_containers, this file aliases ``collections.Mapping`` as the
3.0-5 image's Dockerfile does with sed (see container_compat.py) and sets the environment that
template.yml gives the model (``SAGEMAKER_PROGRAM=inference.py``).
"""

from __future__ import annotations

import os
import shutil
import tempfile

import container_compat

container_compat.alias_collections_abcs()
os.environ[container_compat.BASE_DIR_ENV] = tempfile.mkdtemp(prefix="sagemaker-base-")
os.environ["SAGEMAKER_PROGRAM"] = "inference.py"

import json
from pathlib import Path

import pytest

import inference
import local_model
import model_artifact
from transform import TransformFileError

SOURCE: list[str] = []


def pytest_configure(config):
    # Placed and loaded before any test module is collected: the request corpora are built from the contract.
    try:
        SOURCE.append(model_artifact.place(container_compat.model_dir()))
        model_artifact.loaded()
    except (model_artifact.ArtifactError, inference.ModelArtifactError, TransformFileError) as exc:
        raise pytest.UsageError(f"the model under test cannot be used: {exc}") from None


def pytest_report_header(config):
    return f"model under test: {SOURCE[0]}" if SOURCE else None


def pytest_unconfigure(config):
    shutil.rmtree(os.environ[container_compat.BASE_DIR_ENV], ignore_errors=True)


def contract():
    """The loaded model's input contract (transform.FeatureTransform), for module-level request corpora."""
    return model_artifact.loaded().transform


@pytest.fixture(scope="session")
def model_dir() -> Path:
    return container_compat.model_dir()


@pytest.fixture(scope="session")
def transform_doc(model_dir) -> dict:
    info = json.loads((model_dir / inference.MODEL_INFO_FILE).read_text(encoding="utf-8"))
    return json.loads((model_dir / info["transform_file"]).read_text(encoding="utf-8"))


@pytest.fixture(scope="session")
def loaded_model():
    return model_artifact.loaded()


@pytest.fixture(scope="session")
def local_loaded_model(tmp_path_factory):
    """The model trained on data/, with its labelled rows: for the checks that need labels, which an
    artifact does not carry. The model under test itself when MODEL_ARTIFACT is unset."""
    rows, target, _ = local_model.read_sample(model_artifact.SAMPLE_CSV)
    if model_artifact.requested() is None:
        return model_artifact.loaded(), rows, target
    directory = local_model.write_artifact(tmp_path_factory.mktemp("local-model"), model_artifact.SAMPLE_CSV)
    return inference.model_fn(str(directory)), rows, target


@pytest.fixture(scope="session")
def endpoint(model_dir):
    """inference.py served by the real worker app, loaded as the container loads it."""
    import xgboost_serving
    from serving import Endpoint

    return Endpoint(xgboost_serving.load_worker())


def good_record() -> dict:
    """A valid request record: the contract's first example."""
    return dict(contract().examples[0])
