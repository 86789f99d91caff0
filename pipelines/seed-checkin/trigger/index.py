"""CloudFormation custom resource that seeds one project repository through its CodeConnections connection.

A connection has no API that writes to a repository; Git itself can, through the connection's Git
endpoint. So Create starts the project's seed check-in build (pipelines/seed-checkin/build), which
pushes the seed when the repository has no commit and leaves it alone otherwise, waits for it, and
reports its outcome to CloudFormation: a launch whose repository cannot be seeded fails with the
build's log link instead of leaving an empty repository behind. Delete keeps the repositories: they
hold the team's code.
"""

import json
import os
import time
import urllib.request

import boto3
from botocore.config import Config

POLL_SECONDS = 10
# Each CodeBuild call gives up within 20 seconds (botocore's defaults allow minutes: a 60-second read timeout,
# retried), so a slow API cannot use up the margin kept for the answer to CloudFormation.
CODEBUILD_CONFIG = Config(connect_timeout=3, read_timeout=7, retries={"mode": "standard", "max_attempts": 2})
RESPONSE_TIMEOUT_SECONDS = 20
# Stop polling with this much of the invocation left: enough for one more poll, the StopBuild call and the answer
# to CloudFormation, each at its worst.
REPORT_MARGIN_MS = 90_000
# CloudFormation rejects a response larger than 4096 bytes.
MAX_REASON = 1000


def handler(event, context):
    try:
        status, reason = seed(event, boto3.client("codebuild", config=CODEBUILD_CONFIG), os.environ["CHECKIN_PROJECT"],
                              context.get_remaining_time_in_millis, time.sleep)
    except Exception as error:  # noqa: BLE001 - CloudFormation must always hear back, or it waits for the timeout.
        status, reason = "FAILED", f"the seed check-in could not run: {error}"
    respond(event, status, reason)


def seed(event, codebuild, project, remaining_ms, sleep):
    """The (status, reason) to report for one custom-resource event."""
    if event["RequestType"] == "Delete":
        return "SUCCESS", "repositories are kept with the team's code"
    props = event["ResourceProperties"]
    # The Create that came before seeded this repository or found it had commits; a new seed version alone has
    # nothing to do there (the check-in would only find commits), and must not fail an update when the connection
    # is later unavailable.
    if event["RequestType"] == "Update" and props.get("RepositoryId") == event.get("OldResourceProperties", {}).get("RepositoryId"):
        return "SUCCESS", "nothing to seed: the repository is unchanged (it was seeded or had commits at launch)"
    repository = props["RepositoryId"]
    build = codebuild.start_build(
        projectName=project,
        environmentVariablesOverride=[
            {"name": "REPOSITORY_ID", "value": repository, "type": "PLAINTEXT"},
            {"name": "SEED_S3_URI", "value": props["SeedS3Uri"], "type": "PLAINTEXT"},
        ],
    )["build"]
    while build["buildStatus"] == "IN_PROGRESS":
        if remaining_ms() < REPORT_MARGIN_MS:
            # Stopped: a launch reported as failed must not seed its repository minutes later behind the team's back.
            stopped = _stop(codebuild, build["id"])
            return "FAILED", (f"the seed check-in of {repository} did not finish in time and was {stopped}: "
                              f"{_logs(build)}")
        sleep(POLL_SECONDS)
        build = codebuild.batch_get_builds(ids=[build["id"]])["builds"][0]
    if build["buildStatus"] == "SUCCEEDED":
        return "SUCCESS", f"{repository} is seeded or already had commits: {_logs(build)}"
    return "FAILED", (f"the seed check-in of {repository} ended {build['buildStatus']}: the connection must be AVAILABLE and its "
                      f"app installation allowed to write to {repository}. Build log: {_logs(build)}")


def _stop(codebuild, build_id):
    try:
        codebuild.stop_build(id=build_id)
        return "stopped"
    except Exception as error:  # noqa: BLE001 - the launch fails either way; say why the build may still run.
        return f"not stopped ({error})"


def _logs(build):
    return build.get("logs", {}).get("deepLink") or build["id"]


def respond(event, status, reason):
    """PUTs the outcome to the pre-signed URL CloudFormation sent (CloudFormation user guide, custom resource responses)."""
    body = json.dumps({
        "Status": status,
        "Reason": reason[:MAX_REASON],
        # One resource per repository: another repository is a replacement (and the old one's Delete keeps it).
        "PhysicalResourceId": (event["PhysicalResourceId"] if event["RequestType"] == "Delete"
                               else f"seed-{event['ResourceProperties']['RepositoryId']}"),
        "StackId": event["StackId"],
        "RequestId": event["RequestId"],
        "LogicalResourceId": event["LogicalResourceId"],
    }).encode()
    request = urllib.request.Request(event["ResponseURL"], data=body, method="PUT",
                                     headers={"Content-Type": "", "Content-Length": str(len(body))})
    with urllib.request.urlopen(request, timeout=RESPONSE_TIMEOUT_SECONDS) as response:  # noqa: S310 - the URL is CloudFormation's own https one.
        response.read()
