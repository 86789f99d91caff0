"""Builders for API Gateway HTTP API (payload format 2.0) events, as Lambda receives them.

Defaults (a body of one valid record, the column order) come from tests/model_under_test.py,
imported only when a default is used: the Lambda entry-point tests import this module in a
child process that must not prepare a second model.
"""

from __future__ import annotations

import base64
import json
from typing import Any

JSON_HEADERS = {"content-type": "application/json"}
SPLIT_HEADERS = {"content-type": "application/json; format=pandas-split"}
CSV_HEADERS = {"content-type": "text/csv"}
_UNSET: Any = object()


class LambdaContext:
    def __init__(self, request_id: str = "test-request-1") -> None:
        self.aws_request_id = request_id


def api_event(body: Any = _UNSET, *, method: str = "POST", path: str = "/predict",
              headers: dict | None = None, base64_encode: bool = False) -> dict:
    """An HTTP API event; a non-string ``body`` is sent as JSON, a string as is."""
    if body is _UNSET:
        from model_under_test import VALID_RECORD
        body = {"instances": [VALID_RECORD]}
    if body is not None and not isinstance(body, (str, bytes)):
        body = json.dumps(body)
    if base64_encode:
        raw = body.encode("utf-8") if isinstance(body, str) else body
        body = base64.b64encode(raw).decode("ascii")
    return {
        "version": "2.0",
        "routeKey": "$default",
        "rawPath": path,
        "rawQueryString": "",
        "headers": dict(JSON_HEADERS if headers is None else headers),
        "requestContext": {
            "accountId": "123456789012",
            "apiId": "api-id",
            "domainName": "api-id.execute-api.us-east-1.amazonaws.com",
            "http": {"method": method, "path": path, "protocol": "HTTP/1.1", "sourceIp": "192.0.2.1", "userAgent": "pytest"},
            "requestId": "api-request-1",
            "routeKey": "$default",
            "stage": "$default",
        },
        "body": body,
        "isBase64Encoded": base64_encode,
    }


def columnar_body(records: list[dict], columns: list[str] | None = None) -> dict:
    """Records as a pandas "split" body, ``DataFrame(records).to_json(orient="split", index=False)``."""
    if columns is None:
        from model_under_test import INPUT_FIELDS as columns
    return {"columns": list(columns), "data": [[record[c] for c in columns] for record in records]}


def columnar_event(body: Any, **kwargs: Any) -> dict:
    """A columnar request; a list of records is converted with :func:`columnar_body`, a dict or str sent as is."""
    if isinstance(body, list):
        body = columnar_body(body)
    return api_event(body, headers=dict(SPLIT_HEADERS), **kwargs)


def csv_row(record: dict) -> str:
    """One record as a CSV row in input order, numbers written as Python (and JSON) write them."""
    from model_under_test import INPUT_FIELDS
    return ",".join(str(record[field]) for field in INPUT_FIELDS)


def csv_body(records: list[dict]) -> str:
    return "".join(csv_row(record) + "\n" for record in records)


def csv_event(body: Any, **kwargs: Any) -> dict:
    """A text/csv request; a list of records is converted with :func:`csv_body`, a str sent as is."""
    if isinstance(body, list):
        body = csv_body(body)
    return api_event(body, headers=dict(CSV_HEADERS), **kwargs)


def response_json(response: dict) -> dict:
    assert response["headers"]["content-type"] == "application/json"
    return json.loads(response["body"])
