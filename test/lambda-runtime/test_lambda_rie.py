"""The harness reports what the emulator does: a function error is an error, and every invoke has its REPORT line."""

from __future__ import annotations

from http_events import api_event


def test_an_event_awslambdaric_cannot_unmarshal_is_a_runtime_error_not_a_response(lambda_environment):
    invocation = lambda_environment.invoke_payload(b"{not json")

    # handlers.go answers a function error with HTTP 200 too: only the body tells it from a response.
    assert invocation.http_status == 200
    assert invocation.runtime_error == "Runtime.UnmarshalError"


def test_a_handled_request_is_no_runtime_error_and_has_a_report_line_with_its_duration(lambda_environment):
    invocation = lambda_environment.invoke(api_event())

    assert invocation.runtime_error is None
    assert invocation.payload["statusCode"] == 200
    assert lambda_environment.durations_ms()[invocation.request_id] > 0
