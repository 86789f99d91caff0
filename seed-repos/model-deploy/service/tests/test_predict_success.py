"""POST /predict answers valid requests with the model's own predictions and the model's identity."""

from __future__ import annotations

import gc
import json
import os

import numpy as np
import xgboost

import train_local_model
from conftest import TEST_PACKAGE_ARN, TEST_PACKAGE_VERSION
from http_events import VALID_RECORD, LambdaContext, api_event, columnar_body, columnar_event, csv_body, csv_event, response_json

INPUT_FIELDS = list(VALID_RECORD)


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


def test_batch_predictions_equal_xgboost_on_training_features_in_request_order(service, model_dir, sample_records):
    records = sample_records[:200]
    instances = [{field: record[field] for field in INPUT_FIELDS} for record in records]

    response = service.handle(api_event({"instances": instances}), LambdaContext())

    assert response["statusCode"] == 200
    predictions = np.array(response_json(response)["predictions"], dtype=np.float32)
    np.testing.assert_array_equal(predictions, _expected_predictions(model_dir, records))


def test_predictions_track_the_labels_of_the_training_rows(service, sample_records):
    instances = [{field: record[field] for field in INPUT_FIELDS} for record in sample_records]
    labels = np.array([record["rings"] for record in sample_records])

    predictions = np.array(response_json(service.handle(api_event({"instances": instances}), LambdaContext()))["predictions"])

    # A real model, not a constant: far better than predicting the mean.
    assert np.sqrt(np.mean((predictions - labels) ** 2)) < 0.75 * labels.std()


def test_max_records_per_request_are_accepted(make_service):
    service = make_service(MAX_RECORDS="3")

    response = service.handle(api_event({"instances": [VALID_RECORD] * 3}), LambdaContext())

    assert response["statusCode"] == 200
    assert len(response_json(response)["predictions"]) == 3


def test_integers_and_lowercase_sex_are_valid_input(service):
    record = dict(VALID_RECORD, sex="m", height=0)
    reference = dict(VALID_RECORD, sex="M", height=0.0)

    got = service.handle(api_event({"instances": [record, reference]}), LambdaContext())

    assert got["statusCode"] == 200
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


def test_every_request_format_gets_the_same_response_bytes_and_xgboosts_own_predictions(service, model_dir, sample_records):
    records = [{field: record[field] for field in INPUT_FIELDS} for record in sample_records]
    expected = _expected_predictions(model_dir, records)

    for rows in (records, records[:1]):
        responses = {name: service.handle(event, LambdaContext()) for name, event in _three_formats(rows).items()}

        assert {name: r["statusCode"] for name, r in responses.items()} == {"records": 200, "columnar": 200, "csv": 200}
        assert len({r["body"] for r in responses.values()}) == 1, "the formats disagree"
        predictions = np.array(response_json(responses["csv"])["predictions"], dtype=np.float32)
        np.testing.assert_array_equal(predictions.view(np.uint32), expected[:len(rows)].view(np.uint32))


def test_columnar_columns_may_come_in_any_order(service):
    records = [VALID_RECORD, dict(VALID_RECORD, sex="I", height=0.2)]
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
