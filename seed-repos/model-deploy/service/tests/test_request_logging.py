"""One JSON log line per request (request id, status, record count, latency); payloads only on opt-in."""

from __future__ import annotations

import json

from http_events import LambdaContext, api_event
from model_under_test import NUMERIC_FIELDS, VALID_RECORD, misspelling

FIELD = NUMERIC_FIELDS[0]

SECRET_VALUE = 0.123456789


def _log_lines(stream) -> list[dict]:
    return [json.loads(line) for line in stream.getvalue().splitlines()]


def test_success_logs_one_line_with_request_id_status_records_and_latency(service, log_stream):
    service.handle(api_event({"instances": [VALID_RECORD] * 4}), LambdaContext("req-42"))

    (line,) = _log_lines(log_stream)
    assert line["requestId"] == "req-42"
    assert line["apiRequestId"] == "api-request-1"
    assert line["status"] == 200
    assert line["records"] == 4
    assert isinstance(line["latencyMs"], float) and line["latencyMs"] >= 0
    assert (line["level"], line["method"], line["path"]) == ("INFO", "POST", "/predict")


def test_client_error_logs_code_field_and_index_at_warning(service, log_stream):
    bad = dict(VALID_RECORD, **{FIELD: "long"})
    service.handle(api_event({"instances": [VALID_RECORD, bad]}), LambdaContext())

    (line,) = _log_lines(log_stream)
    assert (line["level"], line["status"], line["errorCode"]) == ("WARNING", 400, "invalid_type")
    assert (line["errorField"], line["errorIndex"]) == (FIELD, 1)


def test_payloads_are_not_logged_by_default(service, log_stream):
    service.handle(api_event({"instances": [dict(VALID_RECORD, **{FIELD: SECRET_VALUE})]}), LambdaContext())
    service.handle(api_event({"instances": [dict(VALID_RECORD, **{misspelling(FIELD): SECRET_VALUE})]}), LambdaContext())

    assert str(SECRET_VALUE) not in log_stream.getvalue()


def test_payloads_are_logged_when_log_payloads_is_set(make_service, log_stream):
    service = make_service(LOG_PAYLOADS="true")

    service.handle(api_event({"instances": [dict(VALID_RECORD, **{FIELD: SECRET_VALUE})]}), LambdaContext())

    (line,) = _log_lines(log_stream)
    assert str(SECRET_VALUE) in line["requestBody"]


def test_unexpected_exception_is_a_generic_500_without_trace_and_is_logged(service, log_stream, monkeypatch):
    def broken_predict(features):
        raise RuntimeError("secret internal detail")
    monkeypatch.setattr(service, "model", type("BrokenModel", (), {"predict": staticmethod(broken_predict)})())

    response = service.handle(api_event(), LambdaContext("req-500"))

    assert response["statusCode"] == 500
    body = json.loads(response["body"])
    assert body["error"]["code"] == "internal_error"
    assert body["error"]["requestId"] == "req-500"
    assert "secret internal detail" not in response["body"] and "Traceback" not in response["body"]
    (line,) = _log_lines(log_stream)
    assert (line["level"], line["status"]) == ("ERROR", 500)
    assert "secret internal detail" in line["exception"]
    assert "Traceback" in line["traceback"]


def test_non_finite_model_output_is_a_500_not_invalid_json(service, monkeypatch):
    import numpy as np

    monkeypatch.setattr(service, "model", type("NanModel", (), {"predict": staticmethod(lambda f: np.full(len(f), np.nan))})())

    response = service.handle(api_event(), LambdaContext())

    assert response["statusCode"] == 500
    assert json.loads(response["body"])["error"]["code"] == "internal_error"
