"""Smoke-test the staging endpoint through InvokeEndpoint (SigV4-signed by the AWS SDK).

Usage:  python scripts/smoke_test.py [--endpoint-name NAME]

Environment: STAGING_ENDPOINT_NAME (when --endpoint-name is absent; the pipeline sets it from
the staging stack's EndpointName output); AWS_REGION and credentials as usual.

Checks: one record -> one finite prediction; a batch -> one per record; three malformed
payloads -> a 4xx from the model naming the field: InvokeEndpoint fails with ModelError, whose
OriginalStatusCode is the container's status (400 here) and OriginalMessage its body,
``{"error": "instances[0].height: missing ..."}`` (inference.transform_fn). A 5xx, e.g. the
serving library's HTML 500 page, fails the check. Prints a report table; exits 1 when any check fails.
"""

from __future__ import annotations

import argparse
import json
import math
import os
import sys
from dataclasses import dataclass
from typing import Any, Callable

from cli import CliError, require_env, run_main

RECORD = {"sex": "M", "length": 0.455, "diameter": 0.365, "height": 0.095, "whole_weight": 0.514,
          "shucked_weight": 0.2245, "viscera_weight": 0.101, "shell_weight": 0.15}


@dataclass(frozen=True)
class Check:
    name: str
    payload: Any
    expect_predictions: int | None  # None: expect a 4xx naming ``expect_text``
    expect_text: str = ""


CHECKS = (
    Check("one record", {"instances": [RECORD]}, 1),
    Check("batch of 5", {"instances": [dict(RECORD, sex=s) for s in "FIMMF"]}, 5),
    Check("missing field", {"instances": [{k: v for k, v in RECORD.items() if k != "height"}]}, None, "instances[0].height"),
    Check("unknown sex", {"instances": [dict(RECORD, sex="X")]}, None, "instances[0].sex"),
    Check("not a number", {"instances": [RECORD, dict(RECORD, length="long")]}, None, "instances[1].length"),
)


def model_message(body: str) -> str:
    """The ``error`` of the container's JSON body; any other body as it is, on one line."""
    try:
        doc = json.loads(body)
    except ValueError:
        doc = None
    if isinstance(doc, dict) and isinstance(doc.get("error"), str):
        return doc["error"]
    return " ".join(body.split())


def run_check(runtime, endpoint: str, check: Check) -> tuple[bool, str]:
    """(passed, detail) for one check."""
    from botocore.exceptions import ClientError

    try:
        response = runtime.invoke_endpoint(EndpointName=endpoint, ContentType="application/json",
                                           Accept="application/json", Body=json.dumps(check.payload).encode())
    except ClientError as exc:
        error = exc.response.get("Error", {})
        status = exc.response.get("OriginalStatusCode")
        message = model_message(str(exc.response.get("OriginalMessage") or error.get("Message", "")))
        if error.get("Code") == "ModelError" and check.expect_predictions is None:
            if isinstance(status, int) and 400 <= status < 500 and check.expect_text in message:
                return True, f"{status}: {message[:80]}"
            return False, f"expected a 4xx naming {check.expect_text}, got {status}: {message[:80]}"
        return False, f"{error.get('Code')}: {' '.join(str(error.get('Message', '')).split())[:100]}"
    body = response["Body"].read()
    if check.expect_predictions is None:
        return False, f"expected a 4xx, got a response: {body[:80]!r}"
    try:
        predictions = json.loads(body)["predictions"]
    except (ValueError, KeyError, TypeError):
        return False, f"response is not {{\"predictions\": [...]}}: {body[:80]!r}"
    if len(predictions) != check.expect_predictions or not all(
            isinstance(p, (int, float)) and math.isfinite(p) for p in predictions):
        return False, f"expected {check.expect_predictions} finite predictions, got {predictions!r:.80}"
    return True, "predictions " + ", ".join(f"{p:.3f}" for p in predictions)


def report(rows: list[tuple[str, bool, str]], write: Callable[[str], None] = print) -> None:
    width = max(len(name) for name, _, _ in rows)
    write(f"{'check'.ljust(width)}  result  detail")
    for name, passed, detail in rows:
        write(f"{name.ljust(width)}  {'PASS' if passed else 'FAIL'}    {detail}")


def smoke_test(runtime, endpoint: str) -> bool:
    rows = [(check.name, *run_check(runtime, endpoint, check)) for check in CHECKS]
    print(f"endpoint {endpoint}")
    report(rows)
    return all(passed for _, passed, _ in rows)


def main(argv: list[str] | None = None, env=None, runtime=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--endpoint-name", help="default: $STAGING_ENDPOINT_NAME")
    args = parser.parse_args(argv)

    def run() -> int:
        endpoint = args.endpoint_name or require_env(
            "STAGING_ENDPOINT_NAME", "the endpoint to test, or pass --endpoint-name", os.environ if env is None else env)
        client = runtime
        if client is None:
            import boto3
            from botocore.config import Config
            # A serverless endpoint's cold start can take tens of seconds.
            client = boto3.client("sagemaker-runtime", config=Config(read_timeout=90, retries={"mode": "standard"}))
        if not smoke_test(client, endpoint):
            raise CliError("smoke test failed (see the table above)")
        return 0

    return run_main("smoke_test", run)


if __name__ == "__main__":
    sys.exit(main())
