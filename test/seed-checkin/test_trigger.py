"""The seed check-in custom resource (pipelines/seed-checkin/trigger/index.py): what it starts and what it tells CloudFormation.

CodeBuild is botocore's own Stubber on a real client (requests are validated against the CodeBuild API
model); CloudFormation's pre-signed response URL is a local HTTP server that records the PUT.
"""

import http.server
import importlib.util
import json
import pathlib
import threading

import boto3
import pytest
from botocore.stub import Stubber

TRIGGER = pathlib.Path(__file__).resolve().parents[2] / "pipelines" / "seed-checkin" / "trigger" / "index.py"
spec = importlib.util.spec_from_file_location("seed_trigger", TRIGGER)
trigger = importlib.util.module_from_spec(spec)
spec.loader.exec_module(trigger)

PROJECT = "sagemaker-churn-p-abcdefghijkl-seed-checkin"
BUILD_ID = f"{PROJECT}:0a1b2c3d"
LOGS = "https://console.aws.amazon.com/cloudwatch/home#logsV2:log-groups/x"
PROPS = {"RepositoryId": "my-org/churn-modelbuild", "SeedS3Uri": "s3://sagemaker-assets/abc.zip", "ServiceToken": "arn"}


def event(kind, props=PROPS, old=None, url="https://example.invalid/response"):
    e = {"RequestType": kind, "ResourceProperties": props, "StackId": "arn:aws:cloudformation:eu-west-1:111122223333:stack/SC-1/x",
         "RequestId": "r-1", "LogicalResourceId": "ModelBuildRepositorySeed", "ResponseURL": url, "ResourceType": "Custom::SeedCheckin"}
    if kind != "Create":
        e["PhysicalResourceId"] = "seed-my-org/churn-modelbuild"
    if old is not None:
        e["OldResourceProperties"] = old
    return e


def build(status):
    return {"id": BUILD_ID, "buildStatus": status, "logs": {"deepLink": LOGS}}


@pytest.fixture
def codebuild():
    client = boto3.client("codebuild", region_name="eu-west-1", aws_access_key_id="a", aws_secret_access_key="b")
    with Stubber(client) as stub:
        yield client, stub
        stub.assert_no_pending_responses()


def expect_start(stub, repository="my-org/churn-modelbuild", status="IN_PROGRESS"):
    stub.add_response("start_build", {"build": build(status)}, {
        "projectName": PROJECT,
        "environmentVariablesOverride": [
            {"name": "REPOSITORY_ID", "value": repository, "type": "PLAINTEXT"},
            {"name": "SEED_S3_URI", "value": "s3://sagemaker-assets/abc.zip", "type": "PLAINTEXT"},
        ],
    })


def run(e, client, remaining=lambda: 600_000):
    naps = []
    return trigger.seed(e, client, PROJECT, remaining, naps.append), naps


def test_create_starts_the_build_for_the_repository_and_succeeds_when_it_succeeds(codebuild):
    client, stub = codebuild
    expect_start(stub)
    stub.add_response("batch_get_builds", {"builds": [build("IN_PROGRESS")]}, {"ids": [BUILD_ID]})
    stub.add_response("batch_get_builds", {"builds": [build("SUCCEEDED")]}, {"ids": [BUILD_ID]})
    (status, reason), naps = run(event("Create"), client)
    assert status == "SUCCESS"
    assert "my-org/churn-modelbuild is seeded or already had commits" in reason
    assert naps == [trigger.POLL_SECONDS, trigger.POLL_SECONDS]


def test_a_failed_build_fails_the_launch_with_what_to_check_and_the_log_link(codebuild):
    client, stub = codebuild
    expect_start(stub)
    stub.add_response("batch_get_builds", {"builds": [build("FAILED")]}, {"ids": [BUILD_ID]})
    (status, reason), _ = run(event("Create"), client)
    assert status == "FAILED"
    assert "ended FAILED" in reason and "allowed to write to my-org/churn-modelbuild" in reason and LOGS in reason


def test_stops_waiting_stops_the_build_and_fails_before_the_function_times_out(codebuild):
    client, stub = codebuild
    expect_start(stub)
    stub.add_response("stop_build", {"build": build("STOPPED")}, {"id": BUILD_ID})
    (status, reason), naps = run(event("Create"), client, remaining=lambda: trigger.REPORT_MARGIN_MS - 1)
    assert status == "FAILED" and "did not finish in time and was stopped" in reason and LOGS in reason
    assert naps == []


def test_a_build_that_cannot_be_stopped_still_fails_the_launch_saying_so(codebuild):
    client, stub = codebuild
    expect_start(stub)
    stub.add_client_error("stop_build", "AccessDeniedException", "not authorized to perform codebuild:StopBuild")
    (status, reason), _ = run(event("Create"), client, remaining=lambda: trigger.REPORT_MARGIN_MS - 1)
    assert status == "FAILED" and "not stopped" in reason and "codebuild:StopBuild" in reason


def test_the_margin_covers_a_last_poll_the_stop_and_the_answer_each_at_their_slowest():
    # Just above the margin the function sleeps, polls, finds itself below it, stops the build and answers.
    config = trigger.CODEBUILD_CONFIG
    worst_call = (config.connect_timeout + config.read_timeout) * config.retries["max_attempts"]
    slowest = trigger.POLL_SECONDS + 2 * worst_call + trigger.RESPONSE_TIMEOUT_SECONDS
    assert slowest < trigger.REPORT_MARGIN_MS / 1000


def test_delete_starts_nothing_and_keeps_the_repositories(codebuild):
    client, _ = codebuild
    (status, reason), _ = run(event("Delete"), client)
    assert (status, reason) == ("SUCCESS", "repositories are kept with the team's code")


def test_an_update_that_changes_nothing_starts_nothing(codebuild):
    client, _ = codebuild
    (status, _reason), _ = run(event("Update", old=dict(PROPS)), client)
    assert status == "SUCCESS"


def test_an_update_with_only_a_new_seed_version_starts_nothing(codebuild):
    # The repository was seeded (or had commits) at launch; no build, so an unavailable connection cannot fail the update.
    client, stub = codebuild
    newer = {**PROPS, "SeedS3Uri": "s3://sagemaker-assets/" + "f" * 64 + ".zip"}
    (status, _reason), _ = run(event("Update", props=newer, old=dict(PROPS)), client)
    assert status == "SUCCESS"
    stub.assert_no_pending_responses()


def test_an_update_to_another_repository_seeds_that_repository(codebuild):
    client, stub = codebuild
    other = {**PROPS, "RepositoryId": "my-org/other"}
    expect_start(stub, repository="my-org/other", status="SUCCEEDED")
    (status, _reason), _ = run(event("Update", props=other, old=dict(PROPS)), client)
    assert status == "SUCCESS"


class Recorder(http.server.BaseHTTPRequestHandler):
    received = []

    def do_PUT(self):  # noqa: N802 - http.server's naming
        Recorder.received.append(json.loads(self.rfile.read(int(self.headers["Content-Length"]))))
        self.send_response(200)
        self.end_headers()

    def log_message(self, *args):
        pass


@pytest.fixture
def response_url():
    server = http.server.HTTPServer(("127.0.0.1", 0), Recorder)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    Recorder.received = []
    yield f"http://127.0.0.1:{server.server_port}/response"
    server.shutdown()


class Context:
    def get_remaining_time_in_millis(self):
        return 600_000


def test_the_handler_always_answers_cloudformation_even_when_codebuild_cannot_be_called(monkeypatch, response_url):
    class Broken:
        def start_build(self, **_kwargs):
            raise RuntimeError("AccessDeniedException: not authorized to perform codebuild:StartBuild")
    monkeypatch.setattr(trigger.boto3, "client", lambda _service, **_options: Broken())
    monkeypatch.setenv("CHECKIN_PROJECT", PROJECT)
    trigger.handler(event("Create", url=response_url), Context())
    [answer] = Recorder.received
    assert answer["Status"] == "FAILED"
    assert "not authorized to perform codebuild:StartBuild" in answer["Reason"]
    assert answer["PhysicalResourceId"] == "seed-my-org/churn-modelbuild"
    assert (answer["RequestId"], answer["LogicalResourceId"]) == ("r-1", "ModelBuildRepositorySeed")


def test_a_delete_answers_with_the_physical_id_cloudformation_sent(monkeypatch, response_url):
    monkeypatch.setattr(trigger.boto3, "client", lambda _service, **_options: None)
    monkeypatch.setenv("CHECKIN_PROJECT", PROJECT)
    trigger.handler(event("Delete", url=response_url), Context())
    [answer] = Recorder.received
    assert (answer["Status"], answer["PhysicalResourceId"]) == ("SUCCESS", "seed-my-org/churn-modelbuild")
