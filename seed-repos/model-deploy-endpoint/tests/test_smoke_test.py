import io
import json

import pytest
from botocore.response import StreamingBody
from botocore.stub import ANY, Stubber

import smoke_test
from aws_clients import offline_client

ENDPOINT = "sagemaker-p-abcdefghijkl-staging"


def ok(n: int) -> dict:
    body = json.dumps({"predictions": [9.5] * n}).encode()
    return {"Body": StreamingBody(io.BytesIO(body), len(body)), "ContentType": "application/json"}


def expected(check) -> dict:
    return {"EndpointName": ENDPOINT, "ContentType": "application/json", "Accept": "application/json", "Body": ANY}


def model_error(stubber, check, status=400, message=None):
    stubber.add_client_error("invoke_endpoint", "ModelError", "Received client error (400) from model", 424,
                             expected_params=expected(check),
                             modeled_fields={"OriginalStatusCode": status, "OriginalMessage": message or f"{check.expect_text}: bad"})


@pytest.fixture
def runtime():
    client = offline_client("sagemaker-runtime")
    with Stubber(client) as stubber:
        yield client, stubber


def stub_all_passing(stubber):
    for check in smoke_test.CHECKS:
        if check.expect_predictions is None:
            model_error(stubber, check)
        else:
            stubber.add_response("invoke_endpoint", ok(check.expect_predictions), expected(check))


def test_passes_and_prints_a_table_when_the_endpoint_behaves(runtime, capsys):
    client, stubber = runtime
    stub_all_passing(stubber)
    assert smoke_test.main([], env={"STAGING_ENDPOINT_NAME": ENDPOINT}, runtime=client) == 0
    out = capsys.readouterr().out
    assert out.count("PASS") == len(smoke_test.CHECKS) == 5 and "FAIL" not in out
    stubber.assert_no_pending_responses()


def test_the_checks_cover_one_record_a_batch_and_three_bad_payloads():
    kinds = [c.expect_predictions for c in smoke_test.CHECKS]
    assert kinds[:2] == [1, 5] and kinds[2:] == [None, None, None]


def test_fails_when_a_bad_payload_is_answered_with_a_5xx(runtime, capsys):
    client, stubber = runtime
    for check in smoke_test.CHECKS:
        if check.expect_predictions is None:
            model_error(stubber, check, status=500, message="Traceback ...")
        else:
            stubber.add_response("invoke_endpoint", ok(check.expect_predictions), expected(check))
    assert smoke_test.main(["--endpoint-name", ENDPOINT], env={}, runtime=client) == 1
    captured = capsys.readouterr()
    assert captured.out.count("FAIL") == 3 and "smoke test failed" in captured.err


def test_fails_when_the_prediction_count_is_wrong(runtime, capsys):
    client, stubber = runtime
    stubber.add_response("invoke_endpoint", ok(2), expected(smoke_test.CHECKS[0]))
    for check in smoke_test.CHECKS[1:]:
        if check.expect_predictions is None:
            model_error(stubber, check)
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
def test_each_check_matches_what_the_inference_code_really_answers(loaded_model, check):
    from serving import serve

    status, body, _ = serve(loaded_model, check.payload)
    if check.expect_predictions is None:
        assert status == 400 and check.expect_text in body
    else:
        assert status == 200 and len(json.loads(body)["predictions"]) == check.expect_predictions
