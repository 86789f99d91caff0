"""POST /predict answers valid requests with the model's own predictions and the model's identity."""

from __future__ import annotations

import gc
import json
import os

import numpy as np
import xgboost

import train_local_model
from conftest import TEST_PACKAGE_ARN, TEST_PACKAGE_VERSION
from http_events import LambdaContext, api_event, columnar_body, columnar_event, csv_body, csv_event, response_json
from model_under_test import BOUNDS, CATEGORICAL_FIELDS, CATEGORIES, EXAMPLES, INPUT_FIELDS, NUMERIC_FIELDS, VALID_RECORD


def _expected_predictions(model_dir: str, records: list[dict]) -> np.ndarray:
    """Plain xgboost on the training-time features: what the handler must return."""
    transform_doc = json.load(open(os.path.join(model_dir, "transform.json")))
    booster = xgboost.Booster(model_file=os.path.join(model_dir, "xgboost-model.json"))
    return booster.inplace_predict(train_local_model.training_features(records, transform_doc))


def test_single_record_gets_one_prediction_and_the_model_package(service, model_dir):
    response = service.handle(api_event({"instances": [VALID_RECORD]}), LambdaContext())

    assert response["statusCode"] == 200
    body = response_json(response)
    assert body["model"] == {"packageArn": TEST_PACKAGE_ARN, "version": TEST_PACKAGE_VERSION}
    assert len(body["predictions"]) == 1
    assert isinstance(body["predictions"][0], float)
    assert body["predictions"][0] == float(_expected_predictions(model_dir, [VALID_RECORD])[0])


def test_batch_predictions_equal_xgboost_on_training_features_in_request_order(service, model_dir, model_records):
    records = model_records[:200]

    response = service.handle(api_event({"instances": records}), LambdaContext())

    assert response["statusCode"] == 200
    predictions = np.array(response_json(response)["predictions"], dtype=np.float32)
    np.testing.assert_array_equal(predictions, _expected_predictions(model_dir, records))
    # A model, not a constant (how well the local model fits its labels is tested in test_train_local_model.py).
    assert len(set(predictions.tolist())) > 1


def test_the_models_own_examples_are_valid_requests(service, model_dir):
    response = service.handle(api_event({"instances": EXAMPLES}), LambdaContext())

    assert response["statusCode"] == 200, response["body"]
    np.testing.assert_array_equal(np.array(response_json(response)["predictions"], dtype=np.float32),
                                  _expected_predictions(model_dir, EXAMPLES))


def test_values_at_the_bounds_of_the_artifact_are_accepted_and_beyond_them_refused(service):
    lowest = dict(VALID_RECORD, **{f: BOUNDS[f][0] for f in NUMERIC_FIELDS})
    highest = dict(VALID_RECORD, **{f: BOUNDS[f][1] for f in NUMERIC_FIELDS})

    assert service.handle(api_event({"instances": [lowest, highest]}), LambdaContext())["statusCode"] == 200
    for field in NUMERIC_FIELDS:
        lo, hi = BOUNDS[field]
        for value in (np.nextafter(lo, -np.inf), np.nextafter(hi, np.inf)):
            response = service.handle(api_event({"instances": [dict(VALID_RECORD, **{field: float(value)})]}), LambdaContext())
            assert response["statusCode"] == 400, (field, value)
            assert response_json(response)["error"]["code"] == "out_of_range"


def test_max_records_per_request_are_accepted(make_service):
    service = make_service(MAX_RECORDS="3")

    response = service.handle(api_event({"instances": [VALID_RECORD] * 3}), LambdaContext())

    assert response["statusCode"] == 200
    assert len(response_json(response)["predictions"]) == 3


def _integral_values() -> dict:
    """Each numeric field at a whole number within its bounds, where it has one."""
    values = {}
    for field in NUMERIC_FIELDS:
        lo, hi = BOUNDS[field]
        if np.ceil(lo) <= hi:
            values[field] = int(np.ceil(lo))
    return values


def test_integers_and_other_letter_cases_of_categories_are_valid_input(service):
    integers = _integral_values()
    assert integers, "no numeric field of the model admits a whole number"
    other_case = {f: VALID_RECORD[f].lower() if VALID_RECORD[f] != VALID_RECORD[f].lower() else VALID_RECORD[f].upper()
                  for f in CATEGORICAL_FIELDS
                  if len({c.casefold() for c in CATEGORIES[f]}) == len(CATEGORIES[f])}
    record = dict(VALID_RECORD, **integers, **other_case)
    reference = dict(VALID_RECORD, **{f: float(v) for f, v in integers.items()})

    got = service.handle(api_event({"instances": [record, reference]}), LambdaContext())

    assert got["statusCode"] == 200, got["body"]
    first, second = response_json(got)["predictions"]
    assert first == second


def test_base64_encoded_body_and_charset_parameter_are_accepted(service):
    event = api_event({"instances": [VALID_RECORD]}, base64_encode=True,
                      headers={"Content-Type": "application/json; charset=UTF-8"})

    assert service.handle(event, LambdaContext())["statusCode"] == 200


def test_stage_prefix_and_trailing_slash_route_to_predict(service):
    event = api_event(path="/prod/predict/")
    event["requestContext"]["stage"] = "prod"

    assert service.handle(event, LambdaContext())["statusCode"] == 200


def test_health_reports_model_and_xgboost_version(service):
    body = response_json(service.handle(api_event(None, method="GET", path="/health"), LambdaContext()))

    assert body == {"status": "ok", "model": {"packageArn": TEST_PACKAGE_ARN, "version": TEST_PACKAGE_VERSION},
                    "xgboostVersion": xgboost.__version__}


def _three_formats(records: list[dict]) -> dict[str, dict]:
    return {"records": api_event({"instances": records}), "columnar": columnar_event(records), "csv": csv_event(records)}


def test_every_request_format_gets_the_same_response_bytes_and_xgboosts_own_predictions(service, model_dir, model_records):
    records = model_records
    expected = _expected_predictions(model_dir, records)

    for rows in (records, records[:1]):
        responses = {name: service.handle(event, LambdaContext()) for name, event in _three_formats(rows).items()}

        assert {name: r["statusCode"] for name, r in responses.items()} == {"records": 200, "columnar": 200, "csv": 200}
        assert len({r["body"] for r in responses.values()}) == 1, "the formats disagree"
        predictions = np.array(response_json(responses["csv"])["predictions"], dtype=np.float32)
        np.testing.assert_array_equal(predictions.view(np.uint32), expected[:len(rows)].view(np.uint32))


def test_columnar_columns_may_come_in_any_order(service):
    records = EXAMPLES[:2] if len(EXAMPLES) > 1 else [VALID_RECORD, VALID_RECORD]
    ordered = service.handle(columnar_event(records), LambdaContext())
    reordered = service.handle(columnar_event(columnar_body(records, sorted(INPUT_FIELDS))), LambdaContext())

    assert ordered["statusCode"] == reordered["statusCode"] == 200
    assert ordered["body"] == reordered["body"]


def test_csv_with_crlf_line_ends_charset_or_base64_is_accepted(service):
    body = csv_body([VALID_RECORD, VALID_RECORD])
    reference = service.handle(csv_event(body), LambdaContext())["body"]
    variants = [csv_event(body.replace("\n", "\r\n")), csv_event(body.rstrip("\n")), csv_event(body, base64_encode=True),
                api_event(body, headers={"Content-Type": "text/csv; charset=utf-8"}),
                api_event(body, headers={"content-type": "text/csv; header=absent"})]

    for event in variants:
        response = service.handle(event, LambdaContext())
        assert response["statusCode"] == 200, response["body"]
        assert response["body"] == reference


def test_the_garbage_collector_is_left_as_it_was_after_every_kind_of_request(service):
    # Collection pauses while a body is parsed and validated, and must resume afterwards, after errors too.
    events = [api_event(), api_event({"instances": [{"sex": "M"}]}), csv_event("x"), api_event("{"),
              api_event(method="GET", path="/health")]
    for event in events:
        service.handle(event, LambdaContext())
        assert gc.isenabled()
    gc.disable()
    try:
        service.handle(api_event(), LambdaContext())
        assert not gc.isenabled()
    finally:
        gc.enable()
