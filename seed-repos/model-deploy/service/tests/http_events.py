"""Builders for API Gateway HTTP API (payload format 2.0) events, as Lambda receives them."""

from __future__ import annotations

import base64
import json
from typing import Any

VALID_RECORD = {"sex": "M", "length": 0.455, "diameter": 0.365, "height": 0.095, "whole_weight": 0.514,
                "shucked_weight": 0.2245, "viscera_weight": 0.101, "shell_weight": 0.15}
JSON_HEADERS = {"content-type": "application/json"}
_UNSET: Any = object()


class LambdaContext:
    def __init__(self, request_id: str = "test-request-1") -> None:
        self.aws_request_id = request_id


def api_event(body: Any = _UNSET, *, method: str = "POST", path: str = "/predict",
              headers: dict | None = None, base64_encode: bool = False) -> dict:
    """An HTTP API event; a non-string ``body`` is sent as JSON, a string as is."""
    if body is _UNSET:
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


def response_json(response: dict) -> dict:
    assert response["headers"]["content-type"] == "application/json"
    return json.loads(response["body"])
