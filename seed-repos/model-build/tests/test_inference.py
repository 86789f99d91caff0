"""The registered model, served as registered: inference.py in the XGBoost container's script mode.

Nothing here is taken from the repository directly: the code served is the sourcedir.tar.gz the
SDK packed when the pipeline definition was built (conftest.py keeps the upload local), unpacked
by sagemaker-containers' own ``_files.download_and_extract`` into its code directory, and imported
under the SAGEMAKER_PROGRAM the model package records; the model is train.py's model.tar.gz,
unpacked where SageMaker puts it (/opt/ml/model). Requests go through the library's Flask worker
(``POST /invocations``), built as the container builds it (xgboost_serving.py). This is what
Studio's "Deploy" from the model registry, and a batch transform job, run.
"""

from __future__ import annotations

import json
import math
import os
import sys
import tarfile
from pathlib import Path

import numpy as np
import pytest
import xgboost as xgb

import container_compat
from conftest import DATA_CSV
from pipelines.abalone import preprocess

JSON = "application/json"
CSV = "text/csv"


@pytest.fixture(scope="module")
def served(registered_container, s3_objects, model_archive, monkeypatch_module):
    """The worker app serving the registered container: its code, its environment, its model."""
    import xgboost_serving
    from sagemaker_containers import _env, _files

    environment = registered_container["Environment"]
    submitted = s3_objects[environment["SAGEMAKER_SUBMIT_DIRECTORY"]]["path"]
    # As sagemaker_containers _server.start -> _modules.import_module does with the S3 object;
    # the container then pip-installs the code directory, which puts it on sys.path.
    _files.download_and_extract(str(submitted), _env.code_dir)
    monkeypatch_module.syspath_prepend(_env.code_dir)
    sys.modules.pop(environment["SAGEMAKER_PROGRAM"][: -len(".py")], None)
    with tarfile.open(model_archive) as archive:
        archive.extractall(container_compat.model_dir(), filter="data")
    for name, value in environment.items():
        monkeypatch_module.setenv(name, value)
    app = xgboost_serving.load_worker()
    return {"client": app.test_client(), "code_dir": Path(_env.code_dir), "module": environment["SAGEMAKER_PROGRAM"]}


@pytest.fixture(scope="module")
def monkeypatch_module():
    with pytest.MonkeyPatch.context() as patch:
        yield patch


def invoke(served, body, content_type=JSON, accept=None):
    headers = {k: v for k, v in (("Content-Type", content_type), ("Accept", accept)) if v is not None}
    if not isinstance(body, (str, bytes)):
        body = json.dumps(body)
    response = served["client"].post("/invocations", data=body, headers=headers)
    return response.status_code, response.mimetype, response.get_data(as_text=True)


def error_of(answer):
    status, mimetype, body = answer
    assert 400 <= status < 500 and mimetype == JSON, answer
    document = json.loads(body)
    assert list(document) == ["error"], document
    return document["error"]


@pytest.fixture(scope="module")
def test_split():
    """The raw test-split records, as a client sends them."""
    data = preprocess.read_abalone_csv(DATA_CSV)
    rows = preprocess.split_indices(len(data), 42, 0.15, 0.15)["test"]
    raw = data.take(rows)
    records = [{"sex": sex, **dict(zip(preprocess.NUMERIC_FEATURES, numbers))}
               for sex, numbers in zip(raw.sex, raw.numeric.tolist())]
    return records


@pytest.fixture(scope="module")
def expected_predictions(model_dir, preprocessed):
    booster = xgb.Booster()
    booster.load_model(str(model_dir / "xgboost-model.json"))
    written = np.loadtxt(preprocessed / "test" / "test.csv", delimiter=",", ndmin=2)
    return booster.inplace_predict(written[:, 1:].astype(np.float32)).astype(np.float64).tolist()


def csv_body(records):
    fields = ["sex", *preprocess.NUMERIC_FEATURES]
    return "".join(",".join(repr(r[f]) if f != "sex" else r[f] for f in fields) + "\n" for r in records)


def test_the_served_module_is_the_packed_registered_script(served):
    module = sys.modules[served["module"][: -len(".py")]]
    assert Path(module.__file__).parent == served["code_dir"]
    repo_script = Path(__file__).resolve().parent.parent / "pipelines" / "abalone" / "inference.py"
    assert (served["code_dir"] / served["module"]).read_bytes() == repo_script.read_bytes()
    assert served["client"].get("/ping").status_code == 200


def test_json_records_predict_what_the_model_predicts_on_the_training_features(served, test_split, expected_predictions):
    status, mimetype, body = invoke(served, {"instances": test_split}, JSON, JSON)
    assert (status, mimetype) == (200, JSON)
    assert json.loads(body)["predictions"] == expected_predictions


def test_a_csv_batch_without_accept_is_answered_in_csv_one_line_per_record(served, test_split, expected_predictions):
    # A batch transform job with SplitType=Line and no Accept sends lines like these.
    status, mimetype, body = invoke(served, csv_body(test_split), CSV, None)
    assert (status, mimetype) == (200, CSV)
    lines = body.splitlines()
    assert len(lines) == len(test_split)
    assert [float(line) for line in lines] == expected_predictions


@pytest.mark.parametrize("content_type, accept, answered", [
    (CSV, JSON, JSON), (JSON, CSV, CSV), (JSON, "*/*", JSON), (CSV, "*/*", CSV),
    ("text/csv; charset=utf-8", "text/csv, application/json;q=0.5", CSV),
])
def test_the_answer_type_follows_accept_or_else_the_request(served, test_split, content_type, accept, answered):
    body = {"instances": test_split[:3]} if content_type.startswith(JSON) else csv_body(test_split[:3])
    status, mimetype, text = invoke(served, body, content_type, accept)
    assert (status, mimetype) == (200, answered)
    predictions = json.loads(text)["predictions"] if answered == JSON else [float(x) for x in text.splitlines()]
    assert len(predictions) == 3 and all(math.isfinite(p) for p in predictions)


M = "M,0.455,0.365,0.095,0.514,0.2245,0.101,0.15"
RECORD = {"sex": "M", "length": 0.455, "diameter": 0.365, "height": 0.095, "whole_weight": 0.514,
          "shucked_weight": 0.2245, "viscera_weight": 0.101, "shell_weight": 0.15}


@pytest.mark.parametrize("body, content_type, accept, status, message", [
    ("sex,length,diameter,height,whole_weight,shucked_weight,viscera_weight,shell_weight\n" + M, CSV, None, 400,
     "line 1 is a header; send records only, fields in this order: sex,length,"),
    (M + "\nM,0.4,0.3\n", CSV, None, 400, "line 2: expected 8 fields (sex,length,"),
    ("X" + M[1:], CSV, None, 400, "line 1.sex: must be one of F, I, M, got \"X\""),
    (M.replace("0.095", "nan"), CSV, None, 400, "line 1.height: must be a finite number, got nan"),
    (M.replace("0.095", "abc"), CSV, None, 400, "line 1.height: must be a number, got 'abc'"),
    ("", CSV, None, 400, "request body is empty"),
    ("sex=M", JSON, None, 400, "request body is not valid JSON"),
    ({"instances": []}, JSON, None, 400, "instances: empty"),
    ({"instances": [{k: v for k, v in RECORD.items() if k != "height"}]}, JSON, None, 400,
     "instances[0]: missing field(s) height"),
    ({"instances": [{**RECORD, "age": 3}]}, JSON, None, 400, "instances[0]: unknown field(s) age"),
    ({"instances": [{**RECORD, "length": "0.4"}]}, JSON, None, 400, 'instances[0].length: must be a number, got "0.4"'),
    ({"instances": [{**RECORD, "length": True}]}, JSON, None, 400, "instances[0].length: must be a number, got true"),
    (json.dumps({"instances": [{**RECORD, "length": float("nan")}]}), JSON, None, 400,
     "instances[0].length: must be a finite number, got nan"),
    ({"instances": [{**RECORD, "length": float("inf")}]}, JSON, None, 400, "instances[0].length: must be a finite number"),
    (M, "application/x-npy", None, 415, "Content-Type 'application/x-npy' is not supported"),
    (M, CSV, "application/x-recordio-protobuf", 406, "Accept 'application/x-recordio-protobuf' excludes every type"),
    (b"\xff\xfe", "text/csv; charset=latin-1", None, 400, "request body is not UTF-8 text"),
], ids=["csv header", "short line", "unknown sex", "nan", "not a number", "empty", "not json", "no instances",
        "missing field", "extra field", "string number", "bool number", "NaN literal", "Infinity",
        "content type", "accept", "not utf-8"])
def test_a_bad_request_is_a_4xx_naming_the_problem(served, body, content_type, accept, status, message):
    answer = invoke(served, body, content_type, accept)
    assert answer[0] == status
    assert message in error_of(answer)


def test_model_fn_refuses_a_model_trained_with_another_xgboost(served, model_dir, tmp_path):
    module = sys.modules[served["module"][: -len(".py")]]
    for path in model_dir.iterdir():
        (tmp_path / path.name).write_bytes(path.read_bytes())
    info = json.loads((tmp_path / "model-info.json").read_text())
    (tmp_path / "model-info.json").write_text(json.dumps({**info, "xgboost_version": "1.7.6"}))
    with pytest.raises(RuntimeError, match="model trained with xgboost 1.7.6, this container serves 3.0.5"):
        module.model_fn(str(tmp_path))


def test_the_model_directory_is_where_sagemaker_unpacks_model_tar_gz(served):
    assert container_compat.model_dir() == Path(os.environ[container_compat.BASE_DIR_ENV]) / "model"
    assert (container_compat.model_dir() / "model-info.json").is_file()
