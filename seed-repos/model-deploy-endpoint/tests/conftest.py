"""Shared fixtures: a real XGBoost model artifact trained on data/abalone-sample.csv, and the
container's real serving stack (sagemaker-containers 2.8.6.post2) serving it.

The artifact has the layout ModelBuild writes into model.tar.gz: xgboost-model.json,
transform.json and model-info.json; it lies where the library looks for it (container_compat).
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

import csv
import json
from pathlib import Path

import numpy as np
import pytest
import xgboost as xgb

ROOT = Path(__file__).resolve().parent.parent
SAMPLE_CSV = ROOT / "data" / "abalone-sample.csv"
NUMERIC = ("length", "diameter", "height", "whole_weight", "shucked_weight", "viscera_weight", "shell_weight")
SEXES = ("F", "I", "M")
INPUT_FIELDS = ("sex",) + NUMERIC
FEATURE_NAMES = NUMERIC + tuple(f"sex_{s}" for s in SEXES)


def read_sample() -> list[dict]:
    """Sample rows as request records (numbers as floats) plus their 'rings'."""
    with open(SAMPLE_CSV, newline="", encoding="utf-8") as handle:
        return [{"sex": row["sex"], **{f: float(row[f]) for f in NUMERIC}, "rings": float(row["rings"])}
                for row in csv.DictReader(handle)]


def training_features(rows: list[dict], transform: dict) -> np.ndarray:
    """The features as the ModelBuild preprocessing step computes them (column-wise numpy)."""
    numeric = np.array([[r[f] for f in NUMERIC] for r in rows], dtype=np.float64)
    means = np.array([transform["numeric"][f]["mean"] for f in NUMERIC])
    stds = np.array([transform["numeric"][f]["std"] for f in NUMERIC])
    sex = np.array([r["sex"] for r in rows])
    one_hot = np.stack([(sex == s).astype(np.float64) for s in SEXES], axis=1)
    return np.hstack([(numeric - means) / stds, one_hot]).astype(np.float32)


def fit_transform(rows: list[dict]) -> dict:
    numeric = np.array([[r[f] for f in NUMERIC] for r in rows], dtype=np.float64)
    return {
        "schema_version": 1,
        "target": "rings",
        "input_fields": list(INPUT_FIELDS),
        "numeric": {f: {"mean": float(m), "std": float(s)}
                    for f, m, s in zip(NUMERIC, numeric.mean(axis=0), numeric.std(axis=0))},
        "categorical": {"sex": list(SEXES)},
        "feature_names": list(FEATURE_NAMES),
    }


def write_artifact(directory: Path, rows: list[dict]) -> Path:
    transform = fit_transform(rows)
    features = training_features(rows, transform)
    labels = np.array([r["rings"] for r in rows], dtype=np.float32)
    booster = xgb.train({"objective": "reg:squarederror", "max_depth": 3, "eta": 0.3, "nthread": 1, "seed": 0},
                        xgb.DMatrix(features, label=labels, feature_names=list(FEATURE_NAMES)), num_boost_round=20)
    booster.save_model(str(directory / "xgboost-model.json"))
    (directory / "transform.json").write_text(json.dumps(transform), encoding="utf-8")
    (directory / "model-info.json").write_text(json.dumps({
        "xgboost_version": xgb.__version__,
        "model_file": "xgboost-model.json",
        "transform_file": "transform.json",
        "feature_names": list(FEATURE_NAMES),
    }), encoding="utf-8")
    return directory


@pytest.fixture(scope="session")
def sample_rows() -> list[dict]:
    return read_sample()


def pytest_unconfigure(config):
    shutil.rmtree(os.environ[container_compat.BASE_DIR_ENV], ignore_errors=True)


@pytest.fixture(scope="session")
def model_dir(sample_rows) -> Path:
    directory = container_compat.model_dir()
    directory.mkdir(parents=True, exist_ok=True)
    return write_artifact(directory, sample_rows)


@pytest.fixture(scope="session")
def loaded_model(model_dir):
    import inference
    return inference.model_fn(str(model_dir))


@pytest.fixture(scope="session")
def endpoint(model_dir):
    """inference.py served by the real worker app, loaded as the container loads it."""
    import xgboost_serving
    from serving import Endpoint

    return Endpoint(xgboost_serving.load_worker())


def record(**overrides) -> dict:
    """A valid request record; keyword arguments replace or (value ...) remove fields."""
    base = {"sex": "M", "length": 0.455, "diameter": 0.365, "height": 0.095, "whole_weight": 0.514,
            "shucked_weight": 0.2245, "viscera_weight": 0.101, "shell_weight": 0.15}
    base.update(overrides)
    return {k: v for k, v in base.items() if v is not ...}
