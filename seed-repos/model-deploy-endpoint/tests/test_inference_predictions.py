"""Good requests: the same predictions as the booster on the training features.

Runs the real library: requests go through sagemaker-containers 2.8.6.post2, the XGBoost 3.0-5
container's serving library (Flask worker and Transformer, sagemaker_containers/_worker.py and
_transformer.py), to inference.transform_fn; see serving.py. Every record comes from the served
model's contract (conftest.contract).
"""

import json
import math

import numpy as np
import xgboost as xgb

import inference
from conftest import contract, good_record
from contract_records import replaced, synthesised, training_features


def test_one_record_gets_one_finite_prediction(endpoint):
    answer = endpoint.invoke({"instances": [good_record()]})
    assert (answer.status, answer.content_type) == (200, "application/json")
    predictions = answer.predictions
    assert len(predictions) == 1 and math.isfinite(predictions[0])


def test_every_example_of_the_contract_gets_a_finite_prediction(endpoint, loaded_model):
    predictions = endpoint.invoke({"instances": list(loaded_model.transform.examples)}).predictions
    assert len(predictions) == len(loaded_model.transform.examples) and all(map(math.isfinite, predictions))


def test_batch_predictions_equal_the_booster_on_training_features(endpoint, model_dir, transform_doc, loaded_model):
    records = synthesised(loaded_model.transform, 200, seed=1)
    answer = endpoint.invoke({"instances": records})
    booster = xgb.Booster(model_file=str(model_dir / "xgboost-model.json"))
    features = training_features(records, transform_doc)
    expected = booster.predict(xgb.DMatrix(features, feature_names=list(loaded_model.transform.feature_names)))
    np.testing.assert_array_equal(np.array(answer.predictions, dtype=np.float32), expected)


def test_the_bounds_of_every_numeric_field_are_accepted(endpoint, loaded_model):
    bounds = loaded_model.transform.bounds
    records = [replaced(good_record(), f, bounds[f][end]) for f in bounds for end in (0, 1)]
    answer = endpoint.invoke({"instances": records or [good_record()]})
    assert answer.status == 200 and len(answer.predictions) == max(1, len(records))


def test_every_category_of_every_categorical_field_is_accepted(endpoint, loaded_model):
    categories = loaded_model.transform.categories
    records = [replaced(good_record(), f, v) for f, values in categories.items() for v in values]
    answer = endpoint.invoke({"instances": records or [good_record()]})
    assert answer.status == 200 and len(answer.predictions) == max(1, len(records))


def test_the_worker_answers_exactly_what_the_serving_code_answers_when_called_directly(endpoint, loaded_model):
    body = json.dumps({"instances": synthesised(loaded_model.transform, 50, seed=2)})
    direct = inference.respond(loaded_model, body, "application/json", "application/json")
    answer = endpoint.invoke(body)
    assert (answer.status, answer.body, answer.content_type) == (direct.status, direct.body, direct.content_type)
    assert answer.status == 200
    assert list(json.loads(answer.body)) == ["predictions"]


def test_the_model_trained_on_the_sample_learned_something(local_loaded_model):
    # An artifact carries no labels: this check serves the model trained on data/ (the model under
    # test unless MODEL_ARTIFACT is set), whose rows have them. Scrambled features would not beat the mean.
    model, rows, target = local_loaded_model
    records = [{k: v for k, v in r.items() if k != target} for r in rows]
    reply = inference.respond(model, json.dumps({"instances": records}), "application/json", "application/json")
    predictions = np.array(json.loads(reply.body)["predictions"])
    labels = np.array([r[target] for r in rows])
    assert np.sqrt(np.mean((predictions - labels) ** 2)) < np.std(labels)


def test_bytes_body_and_charset_content_type_are_accepted(endpoint):
    body = json.dumps({"instances": synthesised(contract(), 2, seed=3)}).encode("utf-8")
    answer = endpoint.invoke(body, content_type="application/json; charset=utf-8")
    assert answer.status == 200 and len(answer.predictions) == 2


def test_integer_values_are_read_as_numbers(endpoint, loaded_model):
    # An integer in a numeric field is a number: within the accepted range it is scored, outside it
    # gets the range message, never "must be a number".
    for field, (low, high) in loaded_model.transform.bounds.items():
        for value in {math.ceil(low), math.floor(high), math.floor(high) + 1}:
            answer = endpoint.invoke({"instances": [replaced(good_record(), field, value)]})
            if low <= value <= high:
                assert answer.status == 200, (field, value, answer.body)
            else:
                assert answer.status == 400 and "is outside the accepted range" in answer.error, (field, value)


def test_any_accept_that_allows_json_and_no_accept_are_accepted(endpoint):
    for accept in ("*/*", None, "application/json; q=0.9", "text/csv, application/json", "application/*"):
        answer = endpoint.invoke({"instances": [good_record()]}, accept=accept)
        assert (answer.status, answer.content_type) == (200, "application/json"), accept


def test_the_limit_of_records_per_request_is_accepted(endpoint):
    answer = endpoint.invoke({"instances": [good_record()] * 1000})
    assert answer.status == 200 and len(answer.predictions) == 1000


def test_the_health_check_answers_200(endpoint):
    assert endpoint.ping() == 200
