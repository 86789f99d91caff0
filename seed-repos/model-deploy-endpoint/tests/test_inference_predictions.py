import json
import math

import numpy as np
import xgboost as xgb

from conftest import FEATURE_NAMES, record, training_features
from serving import serve


def test_one_record_gets_one_finite_prediction(loaded_model):
    status, body, media_type = serve(loaded_model, {"instances": [record()]})
    assert (status, media_type) == (200, "application/json")
    predictions = json.loads(body)["predictions"]
    assert len(predictions) == 1 and math.isfinite(predictions[0])


def test_batch_predictions_equal_the_booster_on_training_features(loaded_model, model_dir, sample_rows):
    records = [{k: v for k, v in r.items() if k != "rings"} for r in sample_rows[:200]]
    status, body, _ = serve(loaded_model, {"instances": records})
    assert status == 200
    transform = json.loads((model_dir / "transform.json").read_text())
    booster = xgb.Booster(model_file=str(model_dir / "xgboost-model.json"))
    expected = booster.predict(xgb.DMatrix(training_features(sample_rows[:200], transform), feature_names=list(FEATURE_NAMES)))
    np.testing.assert_array_equal(np.array(json.loads(body)["predictions"], dtype=np.float32), expected)


def test_the_model_learned_something(loaded_model, sample_rows):
    records = [{k: v for k, v in r.items() if k != "rings"} for r in sample_rows]
    predictions = np.array(json.loads(serve(loaded_model, {"instances": records})[1])["predictions"])
    rings = np.array([r["rings"] for r in sample_rows])
    assert np.sqrt(np.mean((predictions - rings) ** 2)) < np.std(rings)


def test_bytes_body_and_charset_content_type_are_accepted(loaded_model):
    body = json.dumps({"instances": [record(), record(sex="F")]}).encode("utf-8")
    status, text, _ = serve(loaded_model, bytearray(body), content_type="application/json; charset=utf-8")
    assert status == 200 and len(json.loads(text)["predictions"]) == 2


def test_integer_values_and_any_accept_are_accepted(loaded_model):
    status, _, media_type = serve(loaded_model, {"instances": [record(height=0, length=1)]}, accept="*/*")
    assert (status, media_type) == (200, "application/json")


def test_the_limit_of_records_per_request_is_accepted(loaded_model):
    status, body, _ = serve(loaded_model, {"instances": [record()] * 1000})
    assert status == 200 and len(json.loads(body)["predictions"]) == 1000
