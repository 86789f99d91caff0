"""Good requests: the same predictions as the booster on the training features.

Runs the real library: requests go through sagemaker-containers 2.8.6.post2, the XGBoost 3.0-5
container's serving library (Flask worker and Transformer, sagemaker_containers/_worker.py and
_transformer.py), to inference.transform_fn; see serving.py.
"""

import json
import math

import numpy as np
import xgboost as xgb

import inference
from conftest import FEATURE_NAMES, record, training_features


def test_one_record_gets_one_finite_prediction(endpoint):
    answer = endpoint.invoke({"instances": [record()]})
    assert (answer.status, answer.content_type) == (200, "application/json")
    predictions = answer.predictions
    assert len(predictions) == 1 and math.isfinite(predictions[0])


def test_batch_predictions_equal_the_booster_on_training_features(endpoint, model_dir, sample_rows):
    records = [{k: v for k, v in r.items() if k != "rings"} for r in sample_rows[:200]]
    answer = endpoint.invoke({"instances": records})
    transform = json.loads((model_dir / "transform.json").read_text())
    booster = xgb.Booster(model_file=str(model_dir / "xgboost-model.json"))
    expected = booster.predict(xgb.DMatrix(training_features(sample_rows[:200], transform), feature_names=list(FEATURE_NAMES)))
    np.testing.assert_array_equal(np.array(answer.predictions, dtype=np.float32), expected)


def test_the_worker_answers_exactly_what_the_serving_code_answers_when_called_directly(endpoint, loaded_model, sample_rows):
    body = json.dumps({"instances": [{k: v for k, v in r.items() if k != "rings"} for r in sample_rows[:50]]})
    direct = inference.respond(loaded_model, body, "application/json", "application/json")
    answer = endpoint.invoke(body)
    assert (answer.status, answer.body, answer.content_type) == (direct.status, direct.body, direct.content_type)
    assert answer.status == 200
    assert list(json.loads(answer.body)) == ["predictions"]


def test_the_model_learned_something(endpoint, sample_rows):
    records = [{k: v for k, v in r.items() if k != "rings"} for r in sample_rows]
    predictions = np.array(endpoint.invoke({"instances": records}).predictions)
    rings = np.array([r["rings"] for r in sample_rows])
    assert np.sqrt(np.mean((predictions - rings) ** 2)) < np.std(rings)


def test_bytes_body_and_charset_content_type_are_accepted(endpoint):
    body = json.dumps({"instances": [record(), record(sex="F")]}).encode("utf-8")
    answer = endpoint.invoke(body, content_type="application/json; charset=utf-8")
    assert answer.status == 200 and len(answer.predictions) == 2


def test_integer_values_any_accept_and_no_accept_are_accepted(endpoint):
    for accept in ("*/*", None, "application/json; q=0.9", "text/csv, application/json", "application/*"):
        answer = endpoint.invoke({"instances": [record(height=0, length=1)]}, accept=accept)
        assert (answer.status, answer.content_type) == (200, "application/json"), accept


def test_the_limit_of_records_per_request_is_accepted(endpoint):
    answer = endpoint.invoke({"instances": [record()] * 1000})
    assert answer.status == 200 and len(answer.predictions) == 1000


def test_the_health_check_answers_200(endpoint):
    assert endpoint.ping() == 200
