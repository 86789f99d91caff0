# inference/inference.py as it was at commit 903c4fb, before it defined transform_fn; kept
# verbatim below this header (only the header is new) so that
# tests/test_serving_path.py can show what the real sagemaker_containers worker did with it:
# its RequestError from input_fn/predict_fn/output_fn became an HTML 500.
"""Serving functions for the SageMaker XGBoost framework container (script mode).

The model's ``PrimaryContainer`` sets ``SAGEMAKER_PROGRAM=inference.py`` and
``SAGEMAKER_SUBMIT_DIRECTORY`` to the packaged inference/ folder; the container imports this
module and calls ``model_fn`` once per worker, then ``input_fn -> predict_fn -> output_fn`` per
request. Client mistakes raise RequestError, which the container answers with a 4xx status
(see request_error.py).

Request:  ``{"instances": [{"sex": "M", "length": 0.455, ...}]}`` (application/json)
Response: ``{"predictions": [9.87, ...]}`` (application/json), one number per record.
"""

from __future__ import annotations

import json
import os
from dataclasses import dataclass
from typing import Any

import numpy as np
import xgboost as xgb

from abalone_request import JSON_CONTENT_TYPE, RequestValidator, check_content_type, decode_body
from abalone_transform import FeatureTransform, parse_transform
from request_error import RequestError

MODEL_INFO_FILE = "model-info.json"


class ModelArtifactError(RuntimeError):
    """model.tar.gz does not hold what ModelBuild writes; the endpoint must not start."""


@dataclass(frozen=True)
class LoadedModel:
    booster: xgb.Booster
    transform: FeatureTransform
    validator: RequestValidator


def _read_json(model_dir: str, name: str) -> Any:
    path = os.path.join(model_dir, name)
    try:
        with open(path, encoding="utf-8") as handle:
            return json.load(handle)
    except FileNotFoundError:
        raise ModelArtifactError(f"{name} is missing from the model artifact ({model_dir})") from None
    except (ValueError, UnicodeDecodeError) as exc:
        raise ModelArtifactError(f"{name} in the model artifact is not valid JSON: {exc}") from None


def model_fn(model_dir: str) -> LoadedModel:
    """Load the booster and its transform once; refuse a model trained by another xgboost."""
    info = _read_json(model_dir, MODEL_INFO_FILE)
    if not isinstance(info, dict):
        raise ModelArtifactError(f"{MODEL_INFO_FILE} must hold a JSON object")
    trained_with = info.get("xgboost_version")
    # A JSON model loads across versions, but predictions may differ: serve with the training version.
    if trained_with != xgb.__version__:
        raise ModelArtifactError(
            f"model was trained with xgboost {trained_with!r} but this container serves {xgb.__version__}; "
            "deploy it with the matching SageMaker XGBoost image")
    for key in ("model_file", "transform_file"):
        if not isinstance(info.get(key), str) or os.path.basename(info[key]) != info[key]:
            raise ModelArtifactError(f"{MODEL_INFO_FILE} {key} must be a file name in the artifact, got {info.get(key)!r}")
    transform = parse_transform(_read_json(model_dir, info["transform_file"]))
    booster = xgb.Booster()
    model_path = os.path.join(model_dir, info["model_file"])
    if not os.path.isfile(model_path):
        raise ModelArtifactError(f"{info['model_file']} is missing from the model artifact ({model_dir})")
    booster.load_model(model_path)
    if booster.num_features() != len(transform.feature_names):
        raise ModelArtifactError(
            f"model expects {booster.num_features()} features but transform.json defines {len(transform.feature_names)}")
    expected_names = info.get("feature_names")
    if expected_names is not None and list(expected_names) != list(transform.feature_names):
        raise ModelArtifactError(f"{MODEL_INFO_FILE} feature_names differ from transform.json feature_names")
    return LoadedModel(booster=booster, transform=transform, validator=RequestValidator(transform))


def input_fn(request_body: Any, request_content_type: str) -> Any:
    """Check the content type and decode the JSON body.

    Exactly two parameters: the toolkit passes its request context to a third one. Checks that
    need the model's fields (records, types, ranges) run in predict_fn, which has the model;
    a RequestError raised there is answered with 4xx just the same.
    """
    check_content_type(request_content_type)
    return decode_body(request_body)


def predict_fn(input_data: Any, model: LoadedModel) -> np.ndarray:
    records = model.validator.records(input_data)
    features = model.transform.features(records)
    return model.booster.inplace_predict(features, validate_features=False)


def output_fn(prediction: np.ndarray, accept: str | None) -> tuple[str, str]:
    media_type = str(accept or JSON_CONTENT_TYPE).split(";")[0].strip().lower()
    if media_type not in (JSON_CONTENT_TYPE, "*/*"):
        raise RequestError(f"Accept must be {JSON_CONTENT_TYPE}, got {str(accept)[:60]!r}", 406)
    body = json.dumps({"predictions": [float(v) for v in np.asarray(prediction).reshape(-1)]})
    return body, JSON_CONTENT_TYPE
