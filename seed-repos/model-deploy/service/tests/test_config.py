"""Environment variables are validated once, at init, with messages naming the variable."""

from __future__ import annotations

import pytest

from app.config import (DEFAULT_MAX_BODY_BYTES, DEFAULT_MAX_RECORDS, DEFAULT_XGBOOST_NTHREAD, ConfigError,
                        load_settings)
from http_events import LambdaContext, api_event
from model_under_test import VALID_RECORD


def test_defaults_apply_when_nothing_is_set():
    settings = load_settings({"LAMBDA_TASK_ROOT": "/var/task"})

    assert settings.model_dir == "/var/task/model"
    assert (settings.max_records, settings.max_body_bytes) == (DEFAULT_MAX_RECORDS, DEFAULT_MAX_BODY_BYTES)
    assert (DEFAULT_MAX_RECORDS, DEFAULT_MAX_BODY_BYTES) == (1000, 256 * 1024)
    assert settings.log_payloads is False
    assert settings.xgboost_nthread == DEFAULT_XGBOOST_NTHREAD == 1


def test_values_from_the_environment_are_used():
    settings = load_settings({"MODEL_DIR": "/opt/ml/model", "MAX_RECORDS": " 50 ", "MAX_BODY_BYTES": "10000",
                              "LOG_PAYLOADS": "TRUE", "XGBOOST_NTHREAD": "2"})

    assert settings.model_dir == "/opt/ml/model"
    assert (settings.max_records, settings.max_body_bytes, settings.log_payloads, settings.xgboost_nthread) == (
        50, 10000, True, 2)


def test_empty_values_mean_the_default():
    settings = load_settings({"MAX_RECORDS": "", "MAX_BODY_BYTES": " ", "LOG_PAYLOADS": ""})

    assert (settings.max_records, settings.max_body_bytes, settings.log_payloads) == (
        DEFAULT_MAX_RECORDS, DEFAULT_MAX_BODY_BYTES, False)


@pytest.mark.parametrize("name, value", [
    ("MAX_RECORDS", "ten"), ("MAX_RECORDS", "0"), ("MAX_RECORDS", "-5"), ("MAX_RECORDS", "1.5"), ("MAX_RECORDS", "1000000"),
    ("MAX_BODY_BYTES", "256KiB"), ("MAX_BODY_BYTES", "0"), ("MAX_BODY_BYTES", "7000000"),
    ("XGBOOST_NTHREAD", "0"), ("XGBOOST_NTHREAD", "64"), ("XGBOOST_NTHREAD", "auto"),
    ("LOG_PAYLOADS", "maybe"), ("LOG_PAYLOADS", "2"),
])
def test_invalid_value_fails_init_naming_the_variable(name, value):
    with pytest.raises(ConfigError) as failure:
        load_settings({name: value})

    assert name in str(failure.value)
    assert repr(value) in str(failure.value)


def test_max_records_setting_bounds_requests(make_service):
    service = make_service(MAX_RECORDS="2")

    response = service.handle(api_event({"instances": [VALID_RECORD] * 3}), LambdaContext())

    assert response["statusCode"] == 400
    assert "the limit is 2" in response["body"]


def test_max_body_bytes_setting_bounds_requests(make_service):
    service = make_service(MAX_BODY_BYTES="100")

    response = service.handle(api_event(), LambdaContext())

    assert response["statusCode"] == 413
    assert "100 bytes" in response["body"]
