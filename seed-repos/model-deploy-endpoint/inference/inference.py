"""Serving functions for the SageMaker XGBoost framework container 3.0-5 (script mode).

The model's ``PrimaryContainer`` sets ``SAGEMAKER_PROGRAM=inference.py`` and
``SAGEMAKER_SUBMIT_DIRECTORY`` to the packaged inference/ folder. On a single-model endpoint
the container serves with gunicorn and the ``sagemaker_containers`` 2.8.6.post2 Flask worker
(Multi Model Server only with ``SAGEMAKER_MULTI_MODEL``): aws/sagemaker-xgboost-container
``src/sagemaker_xgboost_container/serving.py`` ``main`` imports this module, builds a
``Transformer`` from it (``_user_module_transformer``), calls ``model_fn`` once per gunicorn
worker and ``transform_fn(model, body, content_type, accept)`` per ``POST /invocations``
(``sagemaker_containers/_transformer.py`` ``Transformer.transform``, ``_worker.py`` ``Worker``).

Why transform_fn and not input_fn/predict_fn/output_fn: with those, the library's default
transform answers only its own ``UnsupportedFormatError`` with 415/406; every other exception,
our RequestError included, ends as Flask's HTML 500. transform_fn replaces all three (the
container refuses a module that defines it together with any of them: ``UserError`` in
``_user_module_transformer``, ``ValueError`` in ``Transformer.__init__``) and returns a
``worker.Response``, so each client mistake gets its 4xx with ``{"error": "..."}``.
An unexpected exception is left to the worker (HTML 500, traceback in the endpoint's log);
a broken model artifact fails ``model_fn``, so /ping fails and the endpoint never goes InService.

Request:  ``{"instances": [{<input field>: <value>, ...}]}`` (application/json), with the
          fields, categories and ranges of the model's transform.json (request.py, transform.py)
Response: ``{"predictions": [9.87, ...]}`` (application/json), one number per record;
          on a client mistake ``{"error": "instances[0].<field>: unknown value 'X'; ..."}`` with
          400 (413 for a body over 1 MB, 415 for a Content-Type, 406 for an Accept it cannot serve).
"""

from __future__ import annotations

import json
import os
from dataclasses import dataclass
from typing import Any

import numpy as np
import xgboost as xgb

from request import JSON_CONTENT_TYPE, RequestValidator, check_content_type, decode_body
from request_error import RequestError
from transform import FeatureTransform, parse_transform

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
    """Load the booster and its input contract once; refuse a model trained by another xgboost or whose
    transform.json is not schema version 2 with examples that pass its own checks."""
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


@dataclass(frozen=True)
class Reply:
    """What the endpoint answers: HTTP status, body text and its media type."""

    status: int
    body: str
    content_type: str = JSON_CONTENT_TYPE


def check_accept(accept: Any) -> None:
    """The response is JSON: the Accept header must allow it (a missing one does)."""
    ranges = [part.split(";")[0].strip().lower() for part in str(accept or "").split(",")]
    if not accept or any(r in (JSON_CONTENT_TYPE, "application/*", "*/*") for r in ranges):
        return
    raise RequestError(f"Accept must be {JSON_CONTENT_TYPE}, got {str(accept)[:60]!r}", 406)


def _predict(model: LoadedModel, body: Any, content_type: Any) -> np.ndarray:
    check_content_type(content_type)
    records = model.validator.records(decode_body(body))
    features = model.transform.features(records)
    return model.booster.inplace_predict(features, validate_features=False)


def respond(model: LoadedModel, body: Any, content_type: Any, accept: Any) -> Reply:
    """One request, start to end, without the container: what transform_fn answers."""
    try:
        check_accept(accept)
        prediction = _predict(model, body, content_type)
    except RequestError as error:
        return Reply(error.status_code, json.dumps({"error": error.message}))
    return Reply(200, json.dumps({"predictions": [float(v) for v in np.asarray(prediction).reshape(-1)]}))


def transform_fn(model: LoadedModel, request_body: Any, request_content_type: str, accept: str):
    """Called by the container per request; returns a ``worker.Response`` with the status.

    ``sagemaker_containers`` is imported here, not at the top: in the container serving.py has
    already imported it (so this costs a dictionary look-up), while elsewhere (a notebook, the
    build's scripts) importing it would create ``~/sagemaker_local/jobs/...`` directories
    (``sagemaker_containers/_env.py`` at import) or fail where it is not installed; ``respond``
    serves the same answer without it. The class: ``sagemaker_containers/_worker.py``
    ``Response`` (a flask.Response; ``Transformer.transform`` in ``_transformer.py`` returns it
    as it is, whereas a tuple would become a 200 whatever it held).
    """
    from sagemaker_containers.beta.framework import worker

    reply = respond(model, request_body, request_content_type, accept)
    return worker.Response(response=reply.body, status=reply.status, mimetype=reply.content_type)
