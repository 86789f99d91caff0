"""Loading the model artifact baked into the image, with the checks that make
serving agree with training.

``MODEL_DIR`` holds, from the model package built by the ModelBuild pipeline:

* ``model-info.json``   xgboost version used to train, file names, feature names
* ``xgboost-model.json`` the Booster, saved as JSON (never a pickle)
* ``transform.json``    the feature transform (see ``transform.py``)
* ``model-package.json`` written by the deploy build: the registered model
  package's ARN and version, returned with every prediction.

Any inconsistency raises :class:`ModelLoadError` at init with a message that says
what to fix, so a bad image fails its first invocation instead of serving
wrong answers.
"""

from __future__ import annotations

import json
import os
from dataclasses import dataclass
from typing import Any

import numpy as np

from . import xgboost_c_api
from .transform import Transform, TransformError, parse_transform

MODEL_INFO_FILE = "model-info.json"
MODEL_PACKAGE_FILE = "model-package.json"


class ModelLoadError(RuntimeError):
    """The model artifact is missing, malformed, or does not match this runtime."""


@dataclass(frozen=True)
class LoadedModel:
    booster: xgboost_c_api.Booster
    transform: Transform
    package: dict  # {"packageArn": str, "version": int}
    xgboost_version: str

    def predict(self, features: np.ndarray) -> np.ndarray:
        # What inplace_predict(features, validate_features=False) returns (app/xgboost_c_api.py); the features were
        # checked against the booster at load time.
        return self.booster.predict(features)


def _read_json(model_dir: str, name: str) -> Any:
    path = os.path.join(model_dir, name)
    try:
        with open(path, "rb") as handle:
            return json.loads(handle.read().decode("utf-8"))
    except FileNotFoundError:
        raise ModelLoadError(f"model artifact file {path} is missing (MODEL_DIR={model_dir})") from None
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise ModelLoadError(f"model artifact file {path} is not valid JSON: {exc}") from None


def _safe_name(value: Any, what: str) -> str:
    if not isinstance(value, str) or not value or os.path.basename(value) != value:
        raise ModelLoadError(f"{MODEL_INFO_FILE} {what} must be a plain file name, got {value!r}")
    return value


def load_model(model_dir: str, nthread: int = 1) -> LoadedModel:
    """Load and cross-check the artifact; ``nthread`` is xgboost's prediction thread count."""
    if not os.path.isdir(model_dir):
        raise ModelLoadError(f"model directory {model_dir} does not exist; set MODEL_DIR or bake the model into ${{LAMBDA_TASK_ROOT}}/model")
    info = _read_json(model_dir, MODEL_INFO_FILE)
    if not isinstance(info, dict):
        raise ModelLoadError(f"{MODEL_INFO_FILE} must hold a JSON object")

    trained_with = info.get("xgboost_version")
    if trained_with != xgboost_c_api.VERSION:
        raise ModelLoadError(
            f"xgboost version mismatch: the model was trained with xgboost {trained_with!r} "
            f"but this image runs xgboost {xgboost_c_api.VERSION!r}; pin xgboost-cpu=={trained_with} in requirements.txt "
            f"(or retrain with {xgboost_c_api.VERSION})")

    try:
        transform = parse_transform(_read_json(model_dir, _safe_name(info.get("transform_file"), "transform_file")))
    except TransformError as exc:
        raise ModelLoadError(str(exc)) from None

    info_features = info.get("feature_names")
    if info_features != list(transform.feature_names):
        raise ModelLoadError(
            f"feature_names disagree: {MODEL_INFO_FILE} has {info_features} but transform.json has {list(transform.feature_names)}")

    model_path = os.path.join(model_dir, _safe_name(info.get("model_file"), "model_file"))
    if not model_path.endswith(".json"):
        raise ModelLoadError(f"model file {model_path} must be a Booster saved as JSON (.json), never a pickle")
    if not os.path.isfile(model_path):
        raise ModelLoadError(f"model artifact file {model_path} is missing")
    try:
        booster = xgboost_c_api.Booster(model_path, nthread)
    except xgboost_c_api.XGBoostError as exc:
        raise ModelLoadError(f"xgboost could not load {model_path}: {exc}") from None

    if booster.num_features() != transform.n_features:
        raise ModelLoadError(
            f"the booster expects {booster.num_features()} features but transform.json defines {transform.n_features}")
    booster_features = booster.feature_names()
    if booster_features is not None and list(booster_features) != list(transform.feature_names):
        raise ModelLoadError(
            f"feature_names disagree: the booster was trained on {list(booster_features)} "
            f"but transform.json has {list(transform.feature_names)}")

    package = _read_json(model_dir, MODEL_PACKAGE_FILE)
    if not (isinstance(package, dict) and isinstance(package.get("packageArn"), str)
            and type(package.get("version")) is int):
        raise ModelLoadError(f"{MODEL_PACKAGE_FILE} must be {{\"packageArn\": str, \"version\": int}}, got {package!r}")
    return LoadedModel(
        booster=booster,
        transform=transform,
        package={"packageArn": package["packageArn"], "version": package["version"]},
        xgboost_version=xgboost_c_api.VERSION,
    )
