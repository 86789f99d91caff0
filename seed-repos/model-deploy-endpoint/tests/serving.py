"""Requests to the real serving stack of the SageMaker XGBoost container, in process.

Runs the real library: sagemaker-containers 2.8.6.post2 (the version the 3.0-5 image pins),
whose ``worker.Worker`` Flask app (``sagemaker_containers/_worker.py``) runs the module's
``transform_fn`` through ``transformer.Transformer`` (``_transformer.py``), built exactly as the
container's ``serving.main`` builds it (xgboost_serving.py). Requests go through Flask's test
client to ``POST /invocations``: headers, body decoding, status and error pages are the
library's. tests/test_container_server.py runs the same app under gunicorn.
"""

from __future__ import annotations

import http.client
import json
import socket
from dataclasses import dataclass
from typing import Any

JSON = "application/json"


@dataclass(frozen=True)
class Answer:
    status: int
    body: str
    content_type: str

    @property
    def error(self) -> str:
        """The message of a 4xx: the body must be exactly ``{"error": "<message>"}``."""
        assert self.content_type == JSON, (self.status, self.content_type, self.body[:200])
        doc = json.loads(self.body)
        assert isinstance(doc, dict) and list(doc) == ["error"] and isinstance(doc["error"], str), doc
        return doc["error"]

    @property
    def predictions(self) -> list:
        assert (self.status, self.content_type) == (200, JSON), (self.status, self.body[:200])
        return json.loads(self.body)["predictions"]


def encode(body: Any) -> bytes:
    """What goes on the wire: JSON values are serialized, text is UTF-8 (lone surrogates kept)."""
    if isinstance(body, (bytes, bytearray)):
        return bytes(body)
    if not isinstance(body, str):
        body = json.dumps(body)
    return body.encode("utf-8", "surrogatepass")


def headers(content_type: str | None, accept: str | None) -> dict:
    # InvokeEndpoint passes ContentType and Accept on as these headers; None sends none.
    return {k: v for k, v in (("Content-Type", content_type), ("Accept", accept)) if v is not None}


class Endpoint:
    """A worker app (from xgboost_serving.load_worker) behind Flask's test client."""

    def __init__(self, app) -> None:
        self.client = app.test_client()

    def invoke(self, body: Any, content_type: str | None = JSON, accept: str | None = JSON) -> Answer:
        response = self.client.post("/invocations", data=encode(body), headers=headers(content_type, accept))
        return Answer(response.status_code, response.get_data(as_text=True), response.mimetype)

    def ping(self) -> int:
        return self.client.get("/ping").status_code


class UnixHTTPConnection(http.client.HTTPConnection):
    """HTTP over gunicorn's unix socket (the container binds one too, behind nginx)."""

    def __init__(self, path: str, timeout: float = 30) -> None:
        super().__init__("localhost", timeout=timeout)
        self.socket_path = path

    def connect(self) -> None:
        self.sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        self.sock.settimeout(self.timeout)
        self.sock.connect(self.socket_path)


def http_invoke(socket_path: str, body: Any, content_type: str | None = JSON, accept: str | None = JSON) -> Answer:
    connection = UnixHTTPConnection(socket_path)
    try:
        connection.request("POST", "/invocations", body=encode(body), headers=headers(content_type, accept))
        response = connection.getresponse()
        text = response.read().decode("utf-8", "replace")
        media_type = (response.getheader("Content-Type") or "").split(";")[0].strip()
        return Answer(response.status, text, media_type)
    finally:
        connection.close()


def http_ping(socket_path: str) -> int:
    connection = UnixHTTPConnection(socket_path, timeout=5)
    try:
        connection.request("GET", "/ping")
        return connection.getresponse().status
    finally:
        connection.close()
