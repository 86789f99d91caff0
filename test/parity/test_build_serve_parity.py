"""Build/serve parity on the real Abalone data set.

The ModelBuild seed's preprocessing and training steps run as subprocesses, exactly as the
pipeline runs them (``preprocess.py --input <dir> --output-dir <dir>``, then ``train.py``
located by the SM_* variables of the training container), on ``../shared/data/abalone.data``.
The ModelDeploy seed's Lambda handler (``app.handler.handler``) is then imported in a fresh
interpreter with ``MODEL_DIR`` pointing at the training output (plus the ``model-package.json``
the deploy build adds) and is sent the test split's raw records as API Gateway HTTP API
(payload 2.0) events.

Which raw rows form the test split is recovered from the preprocessing output only: each row
of ``test/test.csv`` is un-standardized with ``transform.json`` (x * std + mean, sex from the
one-hot columns) and matched, together with its ``rings`` label, to exactly one raw row. The
records sent to the handler are the raw rows themselves, never the reconstructed values.

Run from the repository root:
    .venv/bin/python -m pytest -q -p no:cacheprovider test/parity
"""

from __future__ import annotations

import json
import shutil
import sys
import textwrap
from collections import defaultdict
from pathlib import Path

import numpy as np
import pytest
import xgboost

from parity_support import ABALONE_FIELDS, REPO_ROOT, run, subprocess_env

STEP_SCRIPTS = REPO_ROOT / "seed-repos" / "model-build" / "pipelines" / "abalone"
SERVICE_DIR = REPO_ROOT / "seed-repos" / "model-deploy" / "service"

# The header the ModelBuild data file (seed-repos/model-build/data/abalone.csv) carries.
HEADER = ",".join(ABALONE_FIELDS + ["rings"])
SHARED_ROWS = 4177

PACKAGE = {
    "packageArn": "arn:aws:sagemaker:eu-west-1:111122223333:model-package/sagemaker-p-abcdef123456-abalone/1",
    "version": 1,
}
REQUEST_BATCH = 100  # records per HTTP request (the handler accepts up to 1000)
PREDICTION_TOLERANCE = 1e-5
RMSE_LIMIT = 2.3
# Raw values have at most 4 decimals; un-standardizing is off by ~1e-16, far below this rounding.
MATCH_DECIMALS = 6

# Variables that would change the handler's behaviour if inherited from the caller's shell.
HANDLER_ENV_DROP = ("MODEL_DIR", "MAX_RECORDS", "MAX_BODY_BYTES", "LOG_PAYLOADS", "XGBOOST_NTHREAD",
                    "LAMBDA_TASK_ROOT", "PYTHONPATH")

# Runs in a fresh interpreter, as the Lambda runtime does: import the handler module named by the
# image's CMD (model loaded at import), invoke it once per event, and also record the serving
# transform's features for every record (the same validator the /predict route uses).
HANDLER_RUNNER = textwrap.dedent("""
    import importlib, json, sys
    import numpy as np

    events_file, responses_file, features_file = sys.argv[1:4]
    module = importlib.import_module("app.handler")

    class LambdaContext:
        def __init__(self, request_id):
            self.aws_request_id = request_id

    events = json.load(open(events_file))
    responses = [module.handler(event, LambdaContext(f"parity-{i}")) for i, event in enumerate(events)]
    json.dump(responses, open(responses_file, "w"))

    instances = [record for event in events for record in json.loads(event["body"])["instances"]]
    np.save(features_file, module.SERVICE.validator.features({"instances": instances}))
""")


STEP_TIMEOUT = 120  # seconds, for each step and for the handler run


def _run(args: list[str], *, env: dict[str, str], cwd: Path, what: str) -> None:
    run(args, cwd=cwd, env=env, what=what, timeout=STEP_TIMEOUT)


def _read_raw_rows(path: Path) -> list[dict]:
    rows = []
    for line in path.read_text(encoding="utf-8").splitlines():
        if not line.strip():
            continue
        fields = line.split(",")
        record = {"sex": fields[0].strip()}
        record.update({name: float(value) for name, value in zip(ABALONE_FIELDS[1:], fields[1:8])})
        record["rings"] = float(fields[8])
        rows.append(record)
    return rows


def _api_event(body: dict, request_id: str) -> dict:
    """An API Gateway HTTP API (payload format 2.0) event for POST /predict."""
    return {
        "version": "2.0",
        "routeKey": "$default",
        "rawPath": "/predict",
        "rawQueryString": "",
        "headers": {"content-type": "application/json", "host": "api-id.execute-api.eu-west-1.amazonaws.com"},
        "requestContext": {
            "accountId": "111122223333",
            "apiId": "api-id",
            "domainName": "api-id.execute-api.eu-west-1.amazonaws.com",
            "http": {"method": "POST", "path": "/predict", "protocol": "HTTP/1.1",
                     "sourceIp": "192.0.2.1", "userAgent": "parity-test"},
            "requestId": request_id,
            "routeKey": "$default",
            "stage": "$default",
        },
        "body": json.dumps(body),
        "isBase64Encoded": False,
    }


@pytest.fixture(scope="module")
def build(tmp_path_factory, shared_data) -> dict:
    """The ModelBuild steps run on the shared data: preprocessing output and the model directory."""
    work = tmp_path_factory.mktemp("build")
    processing = work / "processing"  # /opt/ml/processing in the processing container
    (processing / "input").mkdir(parents=True)
    raw_text = shared_data.read_text(encoding="utf-8")
    (processing / "input" / "abalone.csv").write_text(HEADER + "\n" + raw_text.rstrip("\n") + "\n", encoding="utf-8")

    env = subprocess_env(PYTHONUNBUFFERED="1")
    _run([sys.executable, str(STEP_SCRIPTS / "preprocess.py"),
          "--input", str(processing / "input"), "--output-dir", str(processing)],
         env=env, cwd=work, what="preprocess.py")

    model_dir = work / "model"  # /opt/ml/model in the training container
    _run([sys.executable, str(STEP_SCRIPTS / "train.py")],
         env={**env,
              "SM_MODEL_DIR": str(model_dir),
              "SM_CHANNEL_TRAIN": str(processing / "train"),
              "SM_CHANNEL_VALIDATION": str(processing / "validation"),
              "SM_CHANNEL_TRANSFORM": str(processing / "transform")},
         cwd=work, what="train.py")

    test_split = np.loadtxt(processing / "test" / "test.csv", delimiter=",", dtype=np.float64, ndmin=2)
    return {
        "work": work,
        "raw_rows": _read_raw_rows(shared_data),
        "transform": json.loads((processing / "transform" / "transform.json").read_text(encoding="utf-8")),
        "test_rings": test_split[:, 0],
        "test_features": test_split[:, 1:],
        "model_dir": model_dir,
    }


@pytest.fixture(scope="module")
def raw_test_rows(build) -> list[dict]:
    """The raw records of the test split, in test.csv order, recovered by un-standardizing and matching."""
    transform = build["transform"]
    names = transform["feature_names"]
    numeric_fields = list(transform["numeric"])
    categories = transform["categorical"]["sex"]
    features = build["test_features"]

    numeric = np.column_stack([
        features[:, names.index(field)] * transform["numeric"][field]["std"] + transform["numeric"][field]["mean"]
        for field in numeric_fields
    ])
    one_hot = features[:, [names.index(f"sex_{c}") for c in categories]]
    assert np.array_equal(one_hot.sum(axis=1), np.ones(len(features))), "test.csv sex one-hot is not one-hot"
    sexes = [categories[i] for i in one_hot.argmax(axis=1)]

    def key(sex: str, values, rings: float) -> tuple:
        return (sex, *(round(float(v), MATCH_DECIMALS) for v in values), float(rings))

    candidates: dict[tuple, list[int]] = defaultdict(list)
    for index, row in enumerate(build["raw_rows"]):
        candidates[key(row["sex"], [row[f] for f in numeric_fields], row["rings"])].append(index)

    matched, unmatched = [], []
    for i in range(len(features)):
        bucket = candidates.get(key(sexes[i], numeric[i], build["test_rings"][i]))
        if bucket:
            matched.append(bucket.pop(0))  # identical raw rows are interchangeable
        else:
            unmatched.append(i)
    assert not unmatched, f"{len(unmatched)} test.csv rows match no raw row, first: {unmatched[:5]}"
    return [build["raw_rows"][index] for index in matched]


@pytest.fixture(scope="module")
def served(build, raw_test_rows) -> dict:
    """The handler run in a fresh interpreter on the test split's raw records, sent as HTTP API events."""
    work = build["work"]
    service_model = work / "service-model"  # what the deploy build bakes into the image as model/
    shutil.copytree(build["model_dir"], service_model)
    (service_model / "model-package.json").write_text(json.dumps(PACKAGE) + "\n", encoding="utf-8")

    instances = [{field: row[field] for field in ABALONE_FIELDS} for row in raw_test_rows]
    events = [_api_event({"instances": instances[start:start + REQUEST_BATCH]}, f"parity-api-{start}")
              for start in range(0, len(instances), REQUEST_BATCH)]
    events_file, responses_file, features_file = work / "events.json", work / "responses.json", work / "served.npy"
    events_file.write_text(json.dumps(events), encoding="utf-8")

    env = subprocess_env(HANDLER_ENV_DROP, PYTHONUNBUFFERED="1", MODEL_DIR=str(service_model), PYTHONPATH=str(SERVICE_DIR))
    _run([sys.executable, "-c", HANDLER_RUNNER, str(events_file), str(responses_file), str(features_file)],
         env=env, cwd=work, what="the ModelDeploy handler")
    return {
        "responses": json.loads(responses_file.read_text(encoding="utf-8")),
        "features": np.load(features_file),
        "batch_sizes": [len(json.loads(e["body"])["instances"]) for e in events],
    }


def _predictions(served) -> np.ndarray:
    values = []
    for response in served["responses"]:
        values.extend(json.loads(response["body"])["predictions"])
    return np.asarray(values, dtype=np.float64)


def test_every_test_split_row_maps_back_to_exactly_one_raw_abalone_row(build, raw_test_rows):
    assert len(build["raw_rows"]) == SHARED_ROWS
    assert len(raw_test_rows) == len(build["test_features"]) > 0
    assert [row["rings"] for row in raw_test_rows] == build["test_rings"].tolist()


def test_handler_transform_of_raw_rows_reproduces_the_preprocessed_test_features(build, served):
    """What serving computes from transform.json is, bit for bit, what the model was trained and tested on."""
    assert served["features"].dtype == np.float32
    # train.py hands the model float32(features from the split CSV).
    np.testing.assert_array_equal(served["features"], build["test_features"].astype(np.float32))


def test_handler_answers_every_http_event_with_200_and_the_baked_model_package(served):
    for response, size in zip(served["responses"], served["batch_sizes"]):
        assert response["statusCode"] == 200, response.get("body")
        body = json.loads(response["body"])
        assert len(body["predictions"]) == size
        assert body["model"] == PACKAGE


def test_handler_predictions_equal_booster_inplace_predict_on_training_features(build, served, capsys):
    booster = xgboost.Booster()
    booster.load_model(str(build["model_dir"] / "xgboost-model.json"))
    expected = booster.inplace_predict(build["test_features"].astype(np.float32))

    predicted = _predictions(served)
    assert predicted.shape == expected.shape
    with capsys.disabled():
        print(f"\nbuild/serve parity: max |handler - Booster.inplace_predict| = {np.max(np.abs(predicted - expected)):.3g}")
    np.testing.assert_allclose(predicted, expected, rtol=0, atol=PREDICTION_TOLERANCE)


def test_served_model_rmse_on_the_test_split_is_at_most_2_3(build, served, capsys):
    predicted = _predictions(served)
    rmse = float(np.sqrt(np.mean((predicted - build["test_rings"]) ** 2)))
    with capsys.disabled():
        print(f"\nbuild/serve parity: handler RMSE on the {len(predicted)}-row test split = {rmse:.4f} "
              f"(limit {RMSE_LIMIT})")
    assert rmse <= RMSE_LIMIT
