"""How the XGBoost container serves inference.py, and why it must define transform_fn.

Runs the real library: sagemaker-containers 2.8.6.post2, the serving library of the XGBoost
3.0-5 container (``transformer.Transformer`` in sagemaker_containers/_transformer.py, the Flask
``worker.Worker`` in _worker.py), with the module loaded as the container's serving.main loads
it (xgboost_serving.py). A module with input_fn/predict_fn/output_fn that raise on bad input gets
an HTML 500 from that library for every client mistake; inference.py's transform_fn answers them.
"""

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from sagemaker_containers.beta.framework import env, errors, transformer

import inference
import xgboost_serving
from conftest import good_record
from serving import Endpoint
from test_malformed_requests import CASES

NOT_JSON = "a=1&b=0.4"


def test_inference_py_defines_model_fn_and_transform_fn_and_none_of_the_functions_it_replaces():
    assert callable(inference.model_fn) and callable(inference.transform_fn)
    for name in ("input_fn", "predict_fn", "output_fn"):
        assert not hasattr(inference, name), f"the container refuses transform_fn together with {name}"


def test_the_library_refuses_transform_fn_together_with_input_fn():
    with pytest.raises(ValueError, match="Cannot use transform_fn implementation with input_fn"):
        transformer.Transformer(model_fn=inference.model_fn, transform_fn=inference.transform_fn, input_fn=lambda b, c: b)


def test_the_container_refuses_a_module_with_transform_fn_and_predict_fn(monkeypatch):
    monkeypatch.setattr(inference, "predict_fn", lambda data, model: data, raising=False)
    with pytest.raises(xgboost_serving.UserError, match="Cannot use transform_fn"):
        xgboost_serving._user_module_transformer(inference)


def test_now_a_body_that_is_not_json_is_a_400_naming_the_problem(endpoint):
    answer = endpoint.invoke(NOT_JSON)
    assert answer.status == 400 and answer.error.startswith("request body is not valid JSON")


def test_no_malformed_request_of_the_corpus_is_a_500(endpoint):
    after = {name: endpoint.invoke(body).status for name, body, _, _ in CASES}
    assert after == {name: status for name, _, status, _ in CASES}


@pytest.mark.parametrize("content_type, accept", [("text/csv", "application/json"), ("application/json", "text/csv")])
def test_a_wrong_content_type_or_accept_is_a_415_or_406(endpoint, content_type, accept):
    # The library's default path maps only its own UnsupportedFormatError to 415/406 (Transformer._default_transform_fn).
    assert endpoint.invoke({"instances": [good_record()]}, content_type, accept).status in (406, 415)


def test_an_unexpected_failure_while_predicting_stays_a_500_and_is_not_reported_as_a_client_error(endpoint, monkeypatch):
    def broken(model, body, content_type):
        raise MemoryError("xgboost ran out of memory")

    monkeypatch.setattr(inference, "_predict", broken)
    answer = endpoint.invoke({"instances": [good_record()]})
    assert (answer.status, answer.content_type) == (500, "text/html")


def test_a_broken_model_artifact_stops_the_worker_from_starting(model_dir, tmp_path, monkeypatch):
    # Transformer.initialize runs model_fn(_env.model_dir) before the app exists: no /ping ever
    # answers 200, so SageMaker never puts the endpoint InService.
    broken = tmp_path / "model"
    shutil.copytree(model_dir, broken)
    (broken / json.loads((model_dir / inference.MODEL_INFO_FILE).read_text())["transform_file"]).write_text("{}")
    monkeypatch.setattr(env, "model_dir", str(broken))
    with pytest.raises(errors.ClientError, match="transform.json: schema_version"):
        xgboost_serving.load_worker()


def test_inference_py_imports_without_the_serving_library_and_leaves_no_directories_behind(tmp_path):
    # transform_fn imports sagemaker_containers when called; importing the module must not (its
    # _env.py would create ~/sagemaker_local/... outside a container).
    code = ("import sys, inference; assert 'sagemaker_containers' not in sys.modules; "
            "assert callable(inference.respond)")
    environment = {k: v for k, v in os.environ.items() if k != "SAGEMAKER_BASE_DIR"}
    environment.update(HOME=str(tmp_path), PYTHONPATH=str(Path(inference.__file__).parent))
    subprocess.run([sys.executable, "-c", code], check=True, cwd=tmp_path, env=environment)
    assert list(tmp_path.iterdir()) == []
