"""The staging smoke test against botocore's Stubber, with the answers the real serving stack gives.

The ModelError stubs carry the status and body that sagemaker-containers 2.8.6.post2 (the
XGBoost 3.0-5 container's serving library, run in process by serving.py) answers for each
check's payload: the ``endpoint`` fixture runs the real library.
"""

from __future__ import annotations

import io
import json

import pytest
from botocore.response import StreamingBody
from botocore.stub import ANY, Stubber

import smoke_test
from aws_clients import offline_client

ENDPOINT = "sagemaker-p-abcdefghijkl-staging"


def ok(n: int, body: str | None = None) -> dict:
    data = (body or json.dumps({"predictions": [9.5] * n})).encode()
    return {"Body": StreamingBody(io.BytesIO(data), len(data)), "ContentType": "application/json"}


def expected(check) -> dict:
    return {"EndpointName": ENDPOINT, "ContentType": "application/json", "Accept": "application/json", "Body": ANY}


@pytest.fixture(scope="module")
def real_answers(endpoint):
    """check name -> what the container answers for its payload (sent as smoke_test sends it)."""
    return {check.name: endpoint.invoke(json.dumps(check.payload).encode()) for check in smoke_test.CHECKS}


def model_error(stubber, check, status, body):
    # InvokeEndpoint's ModelError (HTTP 424): the container's status and body in Original*.
    kind = "client" if status < 500 else "server"
    stubber.add_client_error(
        "invoke_endpoint", "ModelError",
        f'Received {kind} error ({status}) from primary with message "{body}". See the endpoint\'s log stream.', 424,
        expected_params=expected(check), modeled_fields={"OriginalStatusCode": status, "OriginalMessage": body})


@pytest.fixture
def runtime():
    client = offline_client("sagemaker-runtime")
    with Stubber(client) as stubber:
        yield client, stubber


def stub_real_answers(stubber, real_answers):
    for check in smoke_test.CHECKS:
        answer = real_answers[check.name]
        if check.expect_predictions is None:
            model_error(stubber, check, answer.status, answer.body)
        else:
            stubber.add_response("invoke_endpoint", ok(check.expect_predictions, answer.body), expected(check))


def test_passes_and_prints_a_table_when_the_endpoint_answers_as_the_real_container(runtime, real_answers, capsys):
    client, stubber = runtime
    stub_real_answers(stubber, real_answers)
    assert smoke_test.main([], env={"STAGING_ENDPOINT_NAME": ENDPOINT}, runtime=client) == 0
    out = capsys.readouterr().out
    assert out.count("PASS") == len(smoke_test.CHECKS) == 5 and "FAIL" not in out
    stubber.assert_no_pending_responses()


def test_the_checks_cover_one_record_a_batch_and_three_bad_payloads():
    kinds = [c.expect_predictions for c in smoke_test.CHECKS]
    assert kinds[:2] == [1, 5] and kinds[2:] == [None, None, None]


def test_fails_when_a_bad_payload_is_answered_with_the_librarys_html_500(runtime, capsys):
    # What the container answered before inference.py defined transform_fn (test_serving_path.py).
    page = "<!DOCTYPE HTML PUBLIC \"-//W3C//DTD HTML 3.2 Final//EN\">\n<title>500 Internal Server Error</title>"
    client, stubber = runtime
    for check in smoke_test.CHECKS:
        if check.expect_predictions is None:
            model_error(stubber, check, 500, page)
        else:
            stubber.add_response("invoke_endpoint", ok(check.expect_predictions), expected(check))
    assert smoke_test.main(["--endpoint-name", ENDPOINT], env={}, runtime=client) == 1
    captured = capsys.readouterr()
    assert captured.out.count("FAIL") == 3 and "smoke test failed" in captured.err


def test_fails_when_the_prediction_count_is_wrong(runtime, real_answers, capsys):
    client, stubber = runtime
    stubber.add_response("invoke_endpoint", ok(2), expected(smoke_test.CHECKS[0]))
    for check in smoke_test.CHECKS[1:]:
        if check.expect_predictions is None:
            answer = real_answers[check.name]
            model_error(stubber, check, answer.status, answer.body)
        else:
            stubber.add_response("invoke_endpoint", ok(check.expect_predictions), expected(check))
    assert smoke_test.main(["--endpoint-name", ENDPOINT], env={}, runtime=client) == 1
    assert "expected 1 finite predictions" in capsys.readouterr().out


def test_fails_when_a_bad_payload_is_accepted(runtime, capsys):
    client, stubber = runtime
    for check in smoke_test.CHECKS:
        stubber.add_response("invoke_endpoint", ok(check.expect_predictions or 1), expected(check))
    assert smoke_test.main(["--endpoint-name", ENDPOINT], env={}, runtime=client) == 1
    assert capsys.readouterr().out.count("expected a 4xx") == 3


def test_an_unreachable_endpoint_fails_every_check(runtime, capsys):
    client, stubber = runtime
    for check in smoke_test.CHECKS:
        stubber.add_client_error("invoke_endpoint", "ValidationError", f"Endpoint {ENDPOINT} not found.", 400,
                                 expected_params=expected(check))
    assert smoke_test.main(["--endpoint-name", ENDPOINT], env={}, runtime=client) == 1
    assert capsys.readouterr().out.count("ValidationError: Endpoint") == 5


def test_without_an_endpoint_name_prints_one_line_and_exits_1(capsys):
    assert smoke_test.main([], env={}, runtime=object()) == 1
    assert capsys.readouterr().err == ("smoke_test: error: environment variable STAGING_ENDPOINT_NAME is not set "
                                       "(the endpoint to test, or pass --endpoint-name)\n")


@pytest.mark.parametrize("check", smoke_test.CHECKS, ids=[c.name for c in smoke_test.CHECKS])
def test_each_check_expects_what_the_real_container_answers(real_answers, check):
    answer = real_answers[check.name]
    if check.expect_predictions is None:
        assert answer.status == 400 and check.expect_text in answer.error
        assert smoke_test.model_message(answer.body) == answer.error
    else:
        assert answer.status == 200 and len(answer.predictions) == check.expect_predictions


def test_the_report_shows_the_error_of_a_json_body_and_any_other_body_on_one_line():
    assert smoke_test.model_message('{"error": "instances[0].sex: unknown value"}') == "instances[0].sex: unknown value"
    assert smoke_test.model_message("<title>500\n Internal Server Error</title>") == "<title>500 Internal Server Error</title>"
    assert smoke_test.model_message('{"message": "x"}') == '{"message": "x"}'
