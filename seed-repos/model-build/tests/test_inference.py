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
def transform(model_dir):
    return json.loads((model_dir / "transform.json").read_text())


@pytest.fixture(scope="module")
def test_split(transform):
    """The raw test-split records, as a client sends them: the artifact's input fields."""
    data = preprocess.read_csv(DATA_CSV)
    raw = preprocess.split_dataset(data)["test"]
    columns = {**{k: v.tolist() for k, v in raw.numeric.items()}, **{k: v.tolist() for k, v in raw.categorical.items()}}
    return [{field: columns[field][i] for field in transform["input_fields"]} for i in range(len(raw))]


@pytest.fixture(scope="module")
def expected_predictions(model_dir, preprocessed):
    booster = xgb.Booster()
    booster.load_model(str(model_dir / "xgboost-model.json"))
    written = np.loadtxt(preprocessed / "test" / "test.csv", delimiter=",", ndmin=2)
    return booster.inplace_predict(written[:, 1:].astype(np.float32)).astype(np.float64).tolist()


def csv_line(record):
    return ",".join(value if isinstance(value, str) else repr(value) for value in record.values())


def csv_body(records):
    return "".join(csv_line(record) + "\n" for record in records)


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


class Request:
    """A valid request of the artifact (its first example) and the fields a bad one is made from."""

    def __init__(self, transform):
        self.record = dict(transform["examples"][0])
        self.line = csv_line(self.record)
        self.fields = transform["input_fields"]
        self.header = ",".join(self.fields)
        self.number = next(iter(transform["numeric"]))
        self.low, self.high = transform["numeric"][self.number]["minimum"], transform["numeric"][self.number]["maximum"]
        self.category = next(iter(transform["categorical"]))
        self.choices = ", ".join(transform["categorical"][self.category])

    def with_value(self, field, value):
        return {**self.record, field: value}

    def line_with(self, field, value):
        return ",".join(value if f == field else part for f, part in zip(self.fields, self.line.split(",")))


@pytest.fixture(scope="module")
def request_parts(transform):
    return Request(transform)


@pytest.mark.parametrize("make, content_type, accept, status, message", [
    (lambda r: r.header + "\n" + r.line, CSV, None, 400,
     lambda r: f"line 1 is a header; send records only, fields in this order: {r.header}"),
    (lambda r: r.line + "\n" + ",".join(r.line.split(",")[:3]) + "\n", CSV, None, 400,
     lambda r: f"line 2: expected {len(r.fields)} fields ({r.header}), got 3"),
    (lambda r: r.line_with(r.category, "X"), CSV, None, 400,
     lambda r: f'line 1.{r.category}: must be one of {r.choices}, got "X"'),
    (lambda r: r.line_with(r.number, "nan"), CSV, None, 400, lambda r: f"line 1.{r.number}: must be a finite number, got nan"),
    (lambda r: r.line_with(r.number, "abc"), CSV, None, 400, lambda r: f"line 1.{r.number}: must be a number, got 'abc'"),
    (lambda r: r.line_with(r.number, repr(r.high * 2 + 1)), CSV, None, 400,
     lambda r: f"line 1.{r.number}: must be between {r.low!r} and {r.high!r}, got {r.high * 2 + 1!r}"),
    (lambda r: "", CSV, None, 400, lambda r: "request body is empty"),
    (lambda r: "x=1", JSON, None, 400, lambda r: "request body is not valid JSON"),
    (lambda r: {"instances": []}, JSON, None, 400, lambda r: "instances: empty"),
    (lambda r: {"instances": [{k: v for k, v in r.record.items() if k != r.number}]}, JSON, None, 400,
     lambda r: f"instances[0]: missing field(s) {r.number}"),
    (lambda r: {"instances": [{**r.record, "age_unknown": 3}]}, JSON, None, 400,
     lambda r: "instances[0]: unknown field(s) age_unknown"),
    (lambda r: {"instances": [r.with_value(r.number, "0.4")]}, JSON, None, 400,
     lambda r: f'instances[0].{r.number}: must be a number, got "0.4"'),
    (lambda r: {"instances": [r.with_value(r.number, True)]}, JSON, None, 400,
     lambda r: f"instances[0].{r.number}: must be a number, got true"),
    (lambda r: json.dumps({"instances": [r.with_value(r.number, float("nan"))]}), JSON, None, 400,
     lambda r: f"instances[0].{r.number}: must be a finite number, got nan"),
    (lambda r: {"instances": [r.with_value(r.number, float("inf"))]}, JSON, None, 400,
     lambda r: f"instances[0].{r.number}: must be a finite number"),
    (lambda r: {"instances": [r.record, r.with_value(r.number, r.low - 1)]}, JSON, None, 400,
     lambda r: f"instances[1].{r.number}: must be between {r.low!r} and {r.high!r}, got {r.low - 1.0!r}"),
    (lambda r: r.line, "application/x-npy", None, 415, lambda r: "Content-Type 'application/x-npy' is not supported"),
    (lambda r: r.line, CSV, "application/x-recordio-protobuf", 406,
     lambda r: "Accept 'application/x-recordio-protobuf' excludes every type"),
    (lambda r: b"\xff\xfe", "text/csv; charset=latin-1", None, 400, lambda r: "request body is not UTF-8 text"),
], ids=["csv header", "short line", "unknown category", "nan", "not a number", "above the maximum", "empty", "not json",
        "no instances", "missing field", "extra field", "string number", "bool number", "NaN literal", "Infinity",
        "below the minimum", "content type", "accept", "not utf-8"])
def test_a_bad_request_is_a_4xx_naming_the_problem(served, request_parts, make, content_type, accept, status, message):
    answer = invoke(served, make(request_parts), content_type, accept)
    assert answer[0] == status
    assert message(request_parts) in error_of(answer)


def test_the_examples_and_the_ends_of_each_accepted_range_are_answered(served, transform):
    edges = []
    for field, spec in transform["numeric"].items():
        for bound in ("minimum", "maximum"):
            edges.append({**transform["examples"][0], field: spec[bound]})
    status, _mimetype, body = invoke(served, {"instances": transform["examples"] + edges}, JSON, JSON)
    assert status == 200, body
    assert len(json.loads(body)["predictions"]) == len(transform["examples"]) + len(edges)


def served_module(served):
    return sys.modules[served["module"][: -len(".py")]]


def copy_model(model_dir, target, **transform_changes):
    for path in model_dir.iterdir():
        (target / path.name).write_bytes(path.read_bytes())
    transform = json.loads((target / "transform.json").read_text())
    for key, change in transform_changes.items():
        transform[key] = change(transform[key]) if callable(change) else change
    (target / "transform.json").write_text(json.dumps(transform))
    return str(target)


def test_model_fn_refuses_a_version_1_transform_saying_to_retrain(served, model_dir, tmp_path):
    with pytest.raises(RuntimeError, match="schema_version 1, this inference.py reads 2: retrain the model with the current"):
        served_module(served).model_fn(copy_model(model_dir, tmp_path, schema_version=1))


def test_model_fn_refuses_a_range_whose_minimum_is_above_its_maximum(served, model_dir, tmp_path):
    def invert(numeric):
        field = next(iter(numeric))
        numeric[field] = {**numeric[field], "minimum": 2.0, "maximum": 1.0}
        return numeric

    with pytest.raises(RuntimeError, match=r"numeric\..+ needs finite minimum <= maximum, got 2.0 and 1.0"):
        served_module(served).model_fn(copy_model(model_dir, tmp_path, numeric=invert))


def test_model_fn_refuses_examples_that_are_not_valid_requests(served, model_dir, tmp_path):
    with pytest.raises(RuntimeError, match=r"examples are not valid requests \(instances\[0\]: missing field"):
        served_module(served).model_fn(copy_model(model_dir, tmp_path, examples=lambda e: [{}]))


def test_local_prediction_of_the_examples_prints_each_with_its_prediction(model_dir, transform, capsys):
    module = served_module_from_repo()
    assert module.main(["--model-dir", str(model_dir), "--examples"]) == 0
    header, *lines = capsys.readouterr().out.splitlines()
    assert header == ",".join(transform["input_fields"]) + ",prediction"
    assert [line.rsplit(",", 1)[0] for line in lines] == [
        ",".join(str(record[f]) for f in transform["input_fields"]) for record in transform["examples"]]
    assert all(1.0 <= float(line.rsplit(",", 1)[1]) <= 29.0 for line in lines)


def served_module_from_repo():
    from pipelines.abalone import inference

    return inference


def test_model_fn_refuses_a_model_trained_with_another_xgboost(served, model_dir, tmp_path):
    copy_model(model_dir, tmp_path)
    info = json.loads((tmp_path / "model-info.json").read_text())
    (tmp_path / "model-info.json").write_text(json.dumps({**info, "xgboost_version": "1.7.6"}))
    with pytest.raises(RuntimeError, match="model trained with xgboost 1.7.6, this container serves 3.0.5"):
        served_module(served).model_fn(str(tmp_path))


def test_the_model_directory_is_where_sagemaker_unpacks_model_tar_gz(served):
    assert container_compat.model_dir() == Path(os.environ[container_compat.BASE_DIR_ENV]) / "model"
    assert (container_compat.model_dir() / "model-info.json").is_file()
