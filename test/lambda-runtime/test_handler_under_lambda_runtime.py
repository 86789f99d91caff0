"""Under the real Lambda runtime (emulator + awslambdaric), the handler answers exactly as a direct call does.

Each event goes over HTTP on localhost to the emulator, is unmarshalled by awslambdaric, handled by
``app.handler.handler`` in the runtime process, marshalled back, and compared with the same event handed
to the same handler in this process: same status, headers and body, byte for byte, and never a
runtime error (an exception escaping the handler, or a result awslambdaric cannot marshal).
"""

from __future__ import annotations

import json

import pytest

import test_malformed_requests as malformed  # the seed's corpus (seed-repos/model-deploy/service/tests)
from http_events import LambdaContext, api_event

# Lambda quotas, "Invocation payload (request and response)": 6 MB for synchronous invocations; Invoke
# rejects a larger request with RequestEntityTooLargeException ("Request must be smaller than 6291456 bytes").
# https://docs.aws.amazon.com/lambda/latest/dg/gettingstarted-limits.html
SYNC_INVOKE_PAYLOAD_LIMIT = 6 * 1024 * 1024
BATCH = 1000  # the handler's default MAX_RECORDS


def _assert_same_as_direct_call(environment, direct_handler, event) -> dict:
    invocation = environment.invoke(event)
    assert invocation.http_status == 200, invocation.payload
    assert invocation.runtime_error is None, invocation.payload
    expected = direct_handler(event, LambdaContext(invocation.request_id))
    assert invocation.payload == expected
    return invocation.payload


def test_every_shared_data_row_gets_the_prediction_of_a_direct_handler_call(lambda_environment, direct_handler,
                                                                             shared_records):
    batches = [shared_records[start:start + BATCH] for start in range(0, len(shared_records), BATCH)]
    predictions = []
    for batch in batches + [[record] for record in shared_records[:5]]:
        response = _assert_same_as_direct_call(lambda_environment, direct_handler, api_event({"instances": batch}))
        assert response["statusCode"] == 200
        predictions += json.loads(response["body"])["predictions"]

    assert len(predictions) == len(shared_records) + 5


def test_health_check_answers_as_a_direct_handler_call(lambda_environment, direct_handler):
    response = _assert_same_as_direct_call(lambda_environment, direct_handler, api_event(None, method="GET", path="/health"))

    assert response["statusCode"] == 200


def test_the_corpus_fits_lambdas_synchronous_invoke_payload_limit():
    sizes = {case.id: len(json.dumps(case.event).encode("utf-8")) for case in malformed.CORPUS}

    assert len(sizes) >= 100
    assert max(sizes.values()) < SYNC_INVOKE_PAYLOAD_LIMIT, max(sizes, key=sizes.get)


@pytest.mark.parametrize("case", malformed.CORPUS, ids=[case.id for case in malformed.CORPUS])
def test_malformed_request_gets_the_direct_calls_4xx_under_the_lambda_runtime(lambda_environment, direct_handler, case):
    response = _assert_same_as_direct_call(lambda_environment, direct_handler, case.event)

    assert response["statusCode"] == case.status
    assert 400 <= response["statusCode"] < 500
