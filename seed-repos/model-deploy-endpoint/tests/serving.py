"""Runs a request through the serving functions the way the container's transformer does.

RequestError (a BaseInferenceToolkitError) -> its status_code and message; any other
exception -> 500, as in sagemaker_inference.transformer.Transformer.transform.
"""

from __future__ import annotations

import json
from typing import Any

import inference
from request_error import RequestError


def serve(model, body: Any, content_type: str | None = "application/json", accept: str | None = "application/json"):
    """Returns (status, body text, content type)."""
    if not isinstance(body, (str, bytes, bytearray)):
        body = json.dumps(body)
    try:
        data = inference.input_fn(body, content_type)
        prediction = inference.predict_fn(data, model)
        text, media_type = inference.output_fn(prediction, accept)
        return 200, text, media_type
    except RequestError as exc:
        return exc.status_code, exc.message, "text/plain"
    except Exception as exc:  # noqa: BLE001 - the container's catch-all
        return 500, f"{type(exc).__name__}: {exc}", "text/plain"
