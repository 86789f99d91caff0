"""RequestError carries a 4xx status and a one-line message; inference.transform_fn turns it into
that status with ``{"error": message}`` (the container's library would make it a 500: see
inference/request_error.py and test_serving_path.py)."""

import pytest

import request_error


def test_a_request_error_is_400_unless_told_otherwise():
    error = request_error.RequestError("instances[0].colour: unknown value 'X'")
    assert (error.status_code, error.message, str(error)) == (400, "instances[0].colour: unknown value 'X'", error.message)
    assert request_error.RequestError("too big", 413).status_code == 413


def test_only_4xx_status_codes_are_allowed():
    for status in (200, 399, 500):
        with pytest.raises(ValueError, match="4xx"):
            request_error.RequestError("boom", status)


def test_messages_are_one_bounded_ascii_line():
    error = request_error.RequestError("a\r\nb \u00e9 " + "x" * 1000)
    assert error.message.startswith("a b \\xe9 ") and len(error.message) == 400 and error.message.endswith("...")

