"""Smoke-test the staging endpoint through InvokeEndpoint (SigV4-signed by the AWS SDK), with requests
derived from the deployed model's input contract.

Usage:  python scripts/smoke_test.py [--endpoint-name NAME] [--transform PATH]

Environment: STAGING_ENDPOINT_NAME (when --endpoint-name is absent; the pipeline sets it from
the staging stack's EndpointName output); MODEL_TRANSFORM_FILE (when --transform is absent: the
deployed model's transform.json, which the build puts into its output artifact and the staging
test gets as the secondary input ``$CODEBUILD_SRC_DIR_Build``); AWS_REGION and credentials as usual.

Checks: the contract's first example -> one finite prediction; all its examples -> one each;
bad payloads made from the contract (a field missing, an unknown category, a number outside the
accepted range, a string for a number) -> a 4xx from the model naming the field: InvokeEndpoint
fails with ModelError, whose OriginalStatusCode is the container's status (400 here) and
OriginalMessage its body, ``{"error": "instances[0].<field>: missing ..."}`` (inference.transform_fn).
A 5xx, e.g. the serving library's HTML 500 page, fails the check. Prints a report table; exits 1
when any check fails.
"""

from __future__ import annotations

import argparse
import json
import math
import os
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Callable, Sequence

from cli import CliError, require_env, run_main
from input_contract import InputContract, read_contract


@dataclass(frozen=True)
class Check:
    name: str
    payload: Any
    expect_predictions: int | None  # None: expect a 4xx naming ``expect_text``
    expect_text: str = ""


def unknown_category(values: Sequence[str]) -> str:
    """A string that is none of ``values``."""
    candidate = "not-a-category"
    while candidate in values:
        candidate += "-either"
    return candidate


def checks(contract: InputContract) -> tuple[Check, ...]:
    """The good and bad requests for a model with this contract."""
    first = dict(contract.examples[0])
    examples = [dict(e) for e in contract.examples]
    dropped = contract.fields[-1]
    found = [
        Check("one example", {"instances": [first]}, 1),
        Check(f"all {len(examples)} examples", {"instances": examples}, len(examples)),
        Check(f"missing {dropped}", {"instances": [{k: v for k, v in first.items() if k != dropped}]}, None,
              f"instances[0].{dropped}: missing"),
    ]
    for field, values in list(contract.categories.items())[:1]:
        found.append(Check(f"unknown {field}", {"instances": [dict(first, **{field: unknown_category(values)})]}, None,
                           f"instances[0].{field}: unknown value"))
    for field, (low, high) in list(contract.bounds.items())[:1]:
        # Beyond the maximum by more than the whole range: a unit mistake, not a large but real value.
        value = high + (high - low) + 1
        found.append(Check(f"{field} out of range", {"instances": [first, dict(first, **{field: value})]}, None,
                           f"instances[1].{field}: {value!r} is outside the accepted range"))
        found.append(Check(f"{field} not a number", {"instances": [dict(first, **{field: "abc"})]}, None,
                           f"instances[0].{field}: must be a number"))
    return tuple(found)


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


def smoke_test(runtime, endpoint: str, contract: InputContract, source: str = "") -> bool:
    rows = [(check.name, *run_check(runtime, endpoint, check)) for check in checks(contract)]
    print(f"endpoint {endpoint}, requests from the input contract {source} ({len(contract.fields)} fields)")
    report(rows)
    return all(passed for _, passed, _ in rows)


def main(argv: list[str] | None = None, env=None, runtime=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--endpoint-name", help="default: $STAGING_ENDPOINT_NAME")
    parser.add_argument("--transform", type=Path, help="the deployed model's transform.json; default: $MODEL_TRANSFORM_FILE")
    args = parser.parse_args(argv)

    def run() -> int:
        environment = os.environ if env is None else env
        endpoint = args.endpoint_name or require_env(
            "STAGING_ENDPOINT_NAME", "the endpoint to test, or pass --endpoint-name", environment)
        path = args.transform or Path(require_env(
            "MODEL_TRANSFORM_FILE", "the deployed model's transform.json, or pass --transform", environment))
        contract = read_contract(path)
        client = runtime
        if client is None:
            import boto3
            from botocore.config import Config
            # A serverless endpoint's cold start can take tens of seconds.
            client = boto3.client("sagemaker-runtime", config=Config(read_timeout=90, retries={"mode": "standard"}))
        if not smoke_test(client, endpoint, contract, str(path)):
            raise CliError("smoke test failed (see the table above)")
        return 0

    return run_main("smoke_test", run)


if __name__ == "__main__":
    sys.exit(main())
