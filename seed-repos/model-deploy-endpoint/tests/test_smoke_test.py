"""The staging smoke test against botocore's Stubber, with the answers the real serving stack gives.

Its requests come from the served model's transform.json, as in the pipeline (MODEL_TRANSFORM_FILE).
The ModelError stubs carry the status and body that sagemaker-containers 2.8.6.post2 (the XGBoost
3.0-5 container's serving library, run in process by serving.py) answers for each check's payload:
the ``endpoint`` fixture runs the real library.
"""

from __future__ import annotations

import copy
import io
import json

import pytest
from botocore.response import StreamingBody
from botocore.stub import ANY, Stubber

import input_contract
import smoke_test
from aws_clients import offline_client

ENDPOINT = "sagemaker-p-abcdefghijkl-staging"


def ok(n: int, body: str | None = None) -> dict:
    data = (body or json.dumps({"predictions": [9.5] * n})).encode()
    return {"Body": StreamingBody(io.BytesIO(data), len(data)), "ContentType": "application/json"}


def expected(check) -> dict:
    return {"EndpointName": ENDPOINT, "ContentType": "application/json", "Accept": "application/json",
            "Body": json.dumps(check.payload).encode()}


@pytest.fixture(scope="module")
def transform_file(transform_doc, tmp_path_factory):
    path = tmp_path_factory.mktemp("build") / "transform.json"
    path.write_text(json.dumps(transform_doc))
    return path


@pytest.fixture(scope="module")
def checks(transform_file):
    return smoke_test.checks(input_contract.read_contract(transform_file))


@pytest.fixture(scope="module")
def real_answers(endpoint, checks):
    """check name -> what the container answers for its payload (sent as smoke_test sends it)."""
    return {check.name: endpoint.invoke(json.dumps(check.payload).encode()) for check in checks}


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


def stub_real_answers(stubber, checks, real_answers):
    for check in checks:
        answer = real_answers[check.name]
        if check.expect_predictions is None:
            model_error(stubber, check, answer.status, answer.body)
        else:
            stubber.add_response("invoke_endpoint", ok(check.expect_predictions, answer.body), expected(check))


def test_passes_and_prints_a_table_when_the_endpoint_answers_as_the_real_container(
        runtime, checks, real_answers, transform_file, capsys):
    client, stubber = runtime
    stub_real_answers(stubber, checks, real_answers)
    env = {"STAGING_ENDPOINT_NAME": ENDPOINT, "MODEL_TRANSFORM_FILE": str(transform_file)}
    assert smoke_test.main([], env=env, runtime=client) == 0
    out = capsys.readouterr().out
    assert out.count("PASS") == len(checks) and "FAIL" not in out
    assert f"requests from the input contract {transform_file}" in out
    stubber.assert_no_pending_responses()


def test_the_good_requests_are_the_contracts_examples(checks, transform_doc):
    good = [c for c in checks if c.expect_predictions is not None]
    assert [c.payload["instances"] for c in good] == [transform_doc["examples"][:1], transform_doc["examples"]]
    assert [c.expect_predictions for c in good] == [1, len(transform_doc["examples"])]


def test_the_bad_requests_cover_a_missing_field_an_unknown_category_and_a_value_out_of_range(checks, loaded_model):
    contract = loaded_model.transform
    texts = [c.expect_text for c in checks if c.expect_predictions is None]
    assert f"instances[0].{contract.input_fields[-1]}: missing" in texts
    assert all(any(t.startswith(f"instances[0].{field}: unknown value") for t in texts)
               for field in list(contract.categories)[:1])
    assert all(any(t.startswith(f"instances[1].{field}: ") and "outside the accepted range" in t for t in texts)
               for field in contract.numeric_fields[:1])


def test_the_requests_follow_a_contract_with_a_field_more(transform_doc):
    # The smoke test of a retrained model asks for its fields, whatever they are: nothing is listed here.
    doc = copy.deepcopy(transform_doc)
    doc["input_fields"].append("an_added_field")
    doc["numeric"]["an_added_field"] = {"mean": 5.0, "std": 1.0, "minimum": 0, "maximum": 10,
                                        "observed_minimum": 1, "observed_maximum": 9}
    for example in doc["examples"]:
        example["an_added_field"] = 4.5
    made = smoke_test.checks(input_contract.parse_contract(doc))
    assert all("an_added_field" in r for c in made if c.expect_predictions for r in c.payload["instances"])
    assert made[2].name == "missing an_added_field" and made[2].expect_text == "instances[0].an_added_field: missing"


@pytest.mark.parametrize("change, message", [
    (lambda d: d.update(schema_version=1), "schema_version is 1, not 2: retrain and register the model with the current ModelBuild"),
    (lambda d: d.update(examples=[]), "examples must be a non-empty list"),
    (lambda d: d["examples"][0].pop(d["input_fields"][0]), "examples[0] must have exactly the input fields"),
    (lambda d: d["input_fields"].append("an_unknown_field"), "every input field must be in numeric or categorical"),
])
def test_a_contract_the_smoke_test_cannot_use_is_one_line_naming_the_file(transform_doc, tmp_path, capsys, change, message):
    doc = copy.deepcopy(transform_doc)
    change(doc)
    path = tmp_path / "transform.json"
    path.write_text(json.dumps(doc))
    assert smoke_test.main(["--endpoint-name", ENDPOINT, "--transform", str(path)], env={}, runtime=object()) == 1
    err = capsys.readouterr().err
    assert err.startswith(f"smoke_test: error: {path}: ") and message in err and err.count("\n") == 1


def test_without_the_transform_file_prints_one_line_and_exits_1(tmp_path, capsys):
    assert smoke_test.main(["--endpoint-name", ENDPOINT], env={}, runtime=object()) == 1
    assert capsys.readouterr().err == ("smoke_test: error: environment variable MODEL_TRANSFORM_FILE is not set "
                                       "(the deployed model's transform.json, or pass --transform)\n")
    missing = tmp_path / "transform.json"
    assert smoke_test.main(["--endpoint-name", ENDPOINT, "--transform", str(missing)], env={}, runtime=object()) == 1
    assert f"{missing} not found (the deployed model's transform.json" in capsys.readouterr().err


def test_fails_when_a_bad_payload_is_answered_with_the_librarys_html_500(runtime, checks, transform_file, capsys):
    # What the container answered before inference.py defined transform_fn (test_serving_path.py).
    page = "<!DOCTYPE HTML PUBLIC \"-//W3C//DTD HTML 3.2 Final//EN\">\n<title>500 Internal Server Error</title>"
    client, stubber = runtime
    for check in checks:
        if check.expect_predictions is None:
            model_error(stubber, check, 500, page)
        else:
            stubber.add_response("invoke_endpoint", ok(check.expect_predictions), expected(check))
    assert smoke_test.main(["--endpoint-name", ENDPOINT, "--transform", str(transform_file)], env={}, runtime=client) == 1
    captured = capsys.readouterr()
    bad = sum(c.expect_predictions is None for c in checks)
    assert captured.out.count("FAIL") == bad >= 3 and "smoke test failed" in captured.err


def test_fails_when_the_prediction_count_is_wrong(runtime, checks, real_answers, transform_file, capsys):
    client, stubber = runtime
    stubber.add_response("invoke_endpoint", ok(2), expected(checks[0]))
    stub_real_answers(stubber, checks[1:], real_answers)
    assert smoke_test.main(["--endpoint-name", ENDPOINT, "--transform", str(transform_file)], env={}, runtime=client) == 1
    assert "expected 1 finite predictions" in capsys.readouterr().out


def test_fails_when_a_bad_payload_is_accepted(runtime, checks, transform_file, capsys):
    client, stubber = runtime
    for check in checks:
        stubber.add_response("invoke_endpoint", ok(check.expect_predictions or 1), expected(check))
    assert smoke_test.main(["--endpoint-name", ENDPOINT, "--transform", str(transform_file)], env={}, runtime=client) == 1
    assert capsys.readouterr().out.count("expected a 4xx") == sum(c.expect_predictions is None for c in checks)


def test_an_unreachable_endpoint_fails_every_check(runtime, checks, transform_file, capsys):
    client, stubber = runtime
    for check in checks:
        stubber.add_client_error("invoke_endpoint", "ValidationError", f"Endpoint {ENDPOINT} not found.", 400,
                                 expected_params=expected(check))
    assert smoke_test.main(["--endpoint-name", ENDPOINT, "--transform", str(transform_file)], env={}, runtime=client) == 1
    assert capsys.readouterr().out.count("ValidationError: Endpoint") == len(checks)


def test_without_an_endpoint_name_prints_one_line_and_exits_1(capsys):
    assert smoke_test.main([], env={}, runtime=object()) == 1
    assert capsys.readouterr().err == ("smoke_test: error: environment variable STAGING_ENDPOINT_NAME is not set "
                                       "(the endpoint to test, or pass --endpoint-name)\n")


def test_each_check_expects_what_the_real_container_answers(checks, real_answers):
    for check in checks:
        answer = real_answers[check.name]
        if check.expect_predictions is None:
            assert answer.status == 400 and check.expect_text in answer.error, (check.name, answer.body)
            assert smoke_test.model_message(answer.body) == answer.error
        else:
            assert answer.status == 200 and len(answer.predictions) == check.expect_predictions, check.name


def test_the_report_shows_the_error_of_a_json_body_and_any_other_body_on_one_line():
    assert smoke_test.model_message('{"error": "instances[0].a: unknown value"}') == "instances[0].a: unknown value"
    assert smoke_test.model_message("<title>500\n Internal Server Error</title>") == "<title>500 Internal Server Error</title>"
    assert smoke_test.model_message('{"message": "x"}') == '{"message": "x"}'
