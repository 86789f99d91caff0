"""The request body as text: size limit, base64 and UTF-8, the same for every request format."""

from __future__ import annotations

import base64
import binascii
from typing import Any, Mapping

from .errors import RequestError


def body_text(event: Mapping[str, Any], max_body_bytes: int, empty_code: str, empty_message: str) -> str:
    """The event's body, decoded; ``empty_code``/``empty_message`` answer an empty body in the format's own terms."""
    body = event.get("body")
    if body is None or body == "":
        raise RequestError(400, empty_code, empty_message)
    if not isinstance(body, str):
        raise RequestError(400, empty_code, "request body must be text")
    if event.get("isBase64Encoded"):
        # 4 base64 characters carry 3 bytes: reject clearly oversized bodies before decoding.
        if len(body) > (max_body_bytes // 3 + 2) * 4:
            raise too_large(max_body_bytes)
        try:
            raw = base64.b64decode(body, validate=True)
        except (binascii.Error, ValueError):
            raise RequestError(400, "invalid_encoding", "request body is marked base64-encoded but is not valid base64") from None
        if len(raw) > max_body_bytes:
            raise too_large(max_body_bytes)
        try:
            return raw.decode("utf-8")
        except UnicodeDecodeError as exc:
            raise RequestError(400, "invalid_encoding", f"request body is not valid UTF-8 (byte offset {exc.start})") from None
    if len(body) > max_body_bytes:  # characters <= bytes: a cheap early check
        raise too_large(max_body_bytes)
    if body.isascii():  # the usual body: its length is its size in bytes, no encoding needed
        return body
    try:
        size = len(body.encode("utf-8"))
    except UnicodeEncodeError as exc:
        raise RequestError(400, "invalid_encoding", f"request body is not valid UTF-8 (character offset {exc.start})") from None
    if size > max_body_bytes:
        raise too_large(max_body_bytes)
    return body


def too_large(max_body_bytes: int) -> RequestError:
    return RequestError(413, "payload_too_large", f"request body exceeds {max_body_bytes} bytes; split the rows into smaller requests")
