"""Serving script registered with the model: what SageMaker runs when the model package is deployed as is.

The model package names the SageMaker XGBoost 3.0-5 image, ``SAGEMAKER_PROGRAM=inference.py`` and
``SAGEMAKER_SUBMIT_DIRECTORY`` (this file, packed by the SDK). With ``SAGEMAKER_PROGRAM`` set the
container serves in script mode: sagemaker-containers unpacks the submit directory into
/opt/ml/code, imports this module, calls ``model_fn`` once per worker and ``transform_fn`` per
request (aws/sagemaker-xgboost-container ``src/sagemaker_xgboost_container/serving.py``, ``main``).
Without it the container would serve in algorithm mode, load *every* file of /opt/ml/model as a
booster (``algorithm_mode/serve_utils.py``, ``get_loaded_booster``: transform.json is not one)
and feed it untransformed inputs. So Studio's "Deploy" from the model registry, a batch transform
job and ``ModelPackage(...).deploy()`` all predict through this file, from raw records.

Requests, one to many records each:

- ``text/csv``: one record per line, the fields of ``input_fields`` (transform.json) in that order,
  no header; the batch transform format (``SplitType=Line``). The answer is one prediction per line.
- ``application/json``: ``{"instances": [{"<field>": value, ...}, ...]}``, the project's API
  contract. The answer is ``{"predictions": [...]}``.

The answer's type is the ``Accept`` header's (``text/csv`` or ``application/json``), or the
request's own when there is none or it is ``*/*``. A bad request gets a 4xx with
``{"error": "<message naming the line or record and the field>"}``: the library turns any
exception into an HTML 500 and answers only its own errors with a 4xx (sagemaker_containers
``_transformer.py``), so ``transform_fn`` catches them itself and returns the status.

Self-contained (numpy, xgboost and what the container provides). Everything about the inputs
(fields, their order, categories, the accepted range of each number) is read from the artifact's
transform.json (schema version 2), so a model trained on other fields serves without an edit here.
"""

from __future__ import annotations

import argparse
import csv
import io
import json
import math
import os
import sys
from dataclasses import dataclass
from typing import Any, Dict, List, Optional, Sequence

import numpy as np
import xgboost as xgb

CSV = "text/csv"
JSON = "application/json"
SUPPORTED_TYPES = (CSV, JSON)
MODEL_INFO_FILE = "model-info.json"
TRANSFORM_SCHEMA_VERSION = 2


class RequestError(ValueError):
    """A request the model cannot answer; ``status`` is the HTTP status to reply with."""

    def __init__(self, message: str, status: int = 400) -> None:
        super().__init__(message)
        self.status = status


@dataclass(frozen=True)
class ServedModel:
    booster: xgb.Booster
    input_fields: List[str]
    numeric: Dict[str, Dict[str, float]]  # field -> {"mean", "std", "minimum", "maximum", ...}, in feature order
    categorical: Dict[str, List[str]]  # field -> categories, in one-hot order
    examples: List[Dict[str, Any]]  # valid request records, as transform.json gives them


def model_fn(model_dir: str) -> ServedModel:
    """Load model.tar.gz as train.py writes it; refuse one this script would serve wrongly."""
    with open(os.path.join(model_dir, MODEL_INFO_FILE), encoding="utf-8") as handle:
        info = json.load(handle)
    if info["xgboost_version"] != xgb.__version__:
        raise RuntimeError(
            f"model trained with xgboost {info['xgboost_version']}, this container serves {xgb.__version__}: "
            "register it with the XGBoost image of the version that trained it")
    with open(os.path.join(model_dir, info["transform_file"]), encoding="utf-8") as handle:
        transform = json.load(handle)
    booster = xgb.Booster()
    booster.load_model(os.path.join(model_dir, info["model_file"]))
    booster.set_param("nthread", 1)  # one worker per vCPU already (model_server_workers)
    if transform.get("schema_version") != TRANSFORM_SCHEMA_VERSION:
        raise RuntimeError(
            f"transform.json has schema_version {transform.get('schema_version')!r}, this inference.py reads "
            f"{TRANSFORM_SCHEMA_VERSION}: retrain the model with the current ModelBuild")
    model = ServedModel(booster, list(transform["input_fields"]), dict(transform["numeric"]),
                        dict(transform["categorical"]), list(transform.get("examples") or []))
    for field, spec in model.numeric.items():
        low, high = spec.get("minimum"), spec.get("maximum")
        if not all(isinstance(v, (int, float)) and not isinstance(v, bool) and math.isfinite(v) for v in (low, high)) \
                or low > high:
            raise RuntimeError(f"transform.json: numeric.{field} needs finite minimum <= maximum, got {low!r} and {high!r}")
    # The columns this script builds must be the model's, in its order.
    built = list(model.numeric) + [f"{field}_{c}" for field, cats in model.categorical.items() for c in cats]
    if not built == list(transform["feature_names"]) == list(booster.feature_names or []):
        raise RuntimeError(f"transform.json builds features {built}, the model expects {booster.feature_names}")
    if set(model.input_fields) != set(model.numeric) | set(model.categorical):
        raise RuntimeError("transform.json: input_fields are not exactly its numeric and categorical fields")
    # The examples are what clients are shown as valid requests: they must be.
    try:
        _json_records(model, json.dumps({"instances": model.examples}))
    except RequestError as error:
        raise RuntimeError(f"transform.json: examples are not valid requests ({error})") from None
    return model


def transform_fn(model: ServedModel, data: Any, content_type: str, accept: str):
    """One request: parse, validate, predict, answer; a client mistake is a 4xx naming it."""
    # Imported here: the container provides it, and the module stays importable without it.
    from sagemaker_containers.beta.framework import worker

    try:
        request_type = _media_type(content_type)
        if request_type not in SUPPORTED_TYPES:
            raise RequestError(f"Content-Type {content_type!r} is not supported; send {' or '.join(SUPPORTED_TYPES)}", 415)
        answer_type = _answer_type(_raw_accept(accept), request_type)
        text = _text(data)
        records = _csv_records(model, text) if request_type == CSV else _json_records(model, text)
        predictions = model.booster.inplace_predict(features(model, records)).astype(np.float64)
        if answer_type == CSV:
            body = "".join(f"{value!r}\n" for value in predictions.tolist())
        else:
            body = json.dumps({"predictions": predictions.tolist()})
        return worker.Response(response=body, status=200, mimetype=answer_type)
    except RequestError as error:
        return worker.Response(response=json.dumps({"error": str(error)}), status=error.status, mimetype=JSON)


def features(model: ServedModel, records: Sequence[Dict[str, Any]]) -> np.ndarray:
    """Raw records -> model input, exactly as preprocess.py's apply_transform (see README)."""
    numeric = np.array([[record[field] for field in model.numeric] for record in records], dtype=np.float64)
    means = np.array([spec["mean"] for spec in model.numeric.values()], dtype=np.float64)
    stds = np.array([spec["std"] for spec in model.numeric.values()], dtype=np.float64)
    columns = [(numeric - means) / stds]
    for field, categories in model.categorical.items():
        values = np.array([record[field] for record in records], dtype=object)
        columns.append(np.stack([values == c for c in categories], axis=1).astype(np.float64))
    return np.concatenate(columns, axis=1).astype(np.float32)


# --- parsing and validation -----------------------------------------------------------------


def _media_type(header: Optional[str]) -> str:
    return (header or "").split(";")[0].strip().lower()


def _raw_accept(accept: str) -> Optional[str]:
    """The client's own Accept header: the library replaces a missing one with application/json
    (sagemaker_containers _worker.Request.accept), which would answer a CSV batch in JSON."""
    import flask

    return flask.request.headers.get("Accept") if flask.has_request_context() else accept


def _answer_type(accept: Optional[str], request_type: str) -> str:
    wanted = [_media_type(part) for part in (accept or "").split(",") if part.strip()]
    for media_type in wanted or ["*/*"]:
        if media_type in ("*/*", "text/*" if request_type == CSV else "application/*"):
            return request_type
        if media_type in SUPPORTED_TYPES:
            return media_type
    raise RequestError(f"Accept {accept!r} excludes every type this model answers in: {', '.join(SUPPORTED_TYPES)}", 406)


def _text(data: Any) -> str:
    if isinstance(data, str):
        return data
    try:
        return bytes(data).decode("utf-8")
    except UnicodeDecodeError as error:
        raise RequestError(f"request body is not UTF-8 text (byte {error.start})") from None


def _field_value(model: ServedModel, field: str, value: Any, where: str, from_csv: bool = False) -> Any:
    if field in model.categorical:
        if not isinstance(value, str) or value not in model.categorical[field]:
            raise RequestError(f"{where}.{field}: must be one of {', '.join(model.categorical[field])}, got {json.dumps(value)}")
        return value
    if from_csv:
        try:
            value = float(value)
        except ValueError:
            raise RequestError(f"{where}.{field}: must be a number, got {value!r}") from None
    elif isinstance(value, bool) or not isinstance(value, (int, float)):
        raise RequestError(f"{where}.{field}: must be a number, got {json.dumps(value)}")
    if not math.isfinite(value):
        raise RequestError(f"{where}.{field}: must be a finite number, got {value!r}")
    # The range training accepted (preprocess.py's margin rule): the model never saw beyond it.
    low, high = model.numeric[field]["minimum"], model.numeric[field]["maximum"]
    if not low <= value <= high:
        raise RequestError(f"{where}.{field}: must be between {low!r} and {high!r}, got {value!r}")
    return float(value)


def _csv_records(model: ServedModel, text: str) -> List[Dict[str, Any]]:
    lines = text.rstrip("\r\n").splitlines()
    if not lines:
        raise RequestError(f"request body is empty; send one line per record: {','.join(model.input_fields)}")
    records = []
    for number, row in enumerate(csv.reader(io.StringIO("\n".join(lines)), skipinitialspace=True), start=1):
        where = f"line {number}"
        if [value.strip() for value in row] == model.input_fields:
            raise RequestError(f"{where} is a header; send records only, fields in this order: {','.join(model.input_fields)}")
        if len(row) != len(model.input_fields):
            raise RequestError(f"{where}: expected {len(model.input_fields)} fields ({','.join(model.input_fields)}), got {len(row)}")
        records.append({field: _field_value(model, field, value.strip(), where, from_csv=True)
                        for field, value in zip(model.input_fields, row)})
    return records


def _json_records(model: ServedModel, text: str) -> List[Dict[str, Any]]:
    try:
        document = json.loads(text, parse_constant=lambda name: float("nan"))
    except ValueError as error:
        raise RequestError(f"request body is not valid JSON ({error})") from None
    if not isinstance(document, dict) or set(document) != {"instances"} or not isinstance(document["instances"], list):
        raise RequestError('expected {"instances": [{...}, ...]}, one object per record')
    if not document["instances"]:
        raise RequestError("instances: empty; send at least one record")
    records = []
    for index, instance in enumerate(document["instances"]):
        where = f"instances[{index}]"
        if not isinstance(instance, dict):
            raise RequestError(f"{where}: must be an object with the fields {', '.join(model.input_fields)}")
        missing = [field for field in model.input_fields if field not in instance]
        extra = sorted(set(instance) - set(model.input_fields))
        if missing or extra:
            raise RequestError(f"{where}: " + "; ".join(
                part for part in (missing and f"missing field(s) {', '.join(missing)}",
                                  extra and f"unknown field(s) {', '.join(extra)}") if part))
        records.append({field: _field_value(model, field, instance[field], where) for field in model.input_fields})
    return records


def main(argv: "Sequence[str] | None" = None) -> int:
    """Local prediction, as the endpoint would answer: CSV records on stdin, one prediction per line."""
    parser = argparse.ArgumentParser(description=main.__doc__)
    parser.add_argument("--model-dir", required=True, help="an unpacked model.tar.gz (train.py's --model-dir)")
    parser.add_argument("--examples", action="store_true",
                        help="predict transform.json's example records instead of stdin; print each with its prediction")
    args = parser.parse_args(argv)
    try:
        model = model_fn(args.model_dir)
    except (OSError, KeyError, ValueError, RuntimeError, xgb.core.XGBoostError) as error:
        raise SystemExit(f"inference: cannot load the model in {args.model_dir}: {error}") from None
    if args.examples:
        records = model.examples
    else:
        try:
            records = _csv_records(model, sys.stdin.read())
        except RequestError as error:
            raise SystemExit(f"inference: bad input: {error}") from None
    predictions = model.booster.inplace_predict(features(model, records)).astype(np.float64).tolist()
    if args.examples:
        # The examples as CSV request lines, each followed by its prediction.
        print(",".join(model.input_fields) + ",prediction")
        for record, value in zip(records, predictions):
            print(",".join(str(record[field]) for field in model.input_fields) + f",{value!r}")
        return 0
    for value in predictions:
        print(repr(value))
    return 0


if __name__ == "__main__":
    sys.exit(main())
