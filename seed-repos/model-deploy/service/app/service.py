"""HTTP routing, responses and request logging for API Gateway HTTP API (payload v2.0) events."""

from __future__ import annotations

import gc
import json
import math
import time
from typing import Any, Callable, Mapping

import orjson

from .body import body_text
from .columnar import ColumnarValidator
from .config import Settings
from .csv_rows import CsvValidator
from .errors import RequestError
from .fields import FieldRules
from .formats import COLUMNAR, RECORDS, request_format
from .json_text import parse_json
from .jsonlog import JsonLogger
from .model import LoadedModel
from .validation import InstanceValidator

JSON_HEADERS = {"content-type": "application/json"}
MAX_LOGGED_PAYLOAD_CHARS = 8192


def _header(headers: Any, name: str) -> str | None:
    """Header lookup; HTTP API v2 lower-cases names, other callers may not."""
    # dict, not typing.Mapping: Lambda delivers events as dicts, and an ABC check costs microseconds per call.
    if not isinstance(headers, dict):
        return None
    value = headers.get(name)
    if value is None:
        for key, candidate in headers.items():
            if isinstance(key, str) and key.lower() == name:
                value = candidate
                break
    return value if isinstance(value, str) else None


class Service:
    def __init__(self, settings: Settings, model: LoadedModel, logger: JsonLogger | None = None) -> None:
        self.settings = settings
        self.model = model
        rules = FieldRules(model.transform)
        self.validator = InstanceValidator(model.transform, settings.max_records, rules)
        self.columnar = ColumnarValidator(model.transform, settings.max_records, rules)
        self.csv = CsvValidator(model.transform, settings.max_records, rules)
        self.logger = logger or JsonLogger()
        self._package = model.package
        # The health answer never changes: built once at init, not per request.
        self._health_body = ('{"status":"ok","model":' + orjson.dumps(model.package).decode()
                             + ',"xgboostVersion":' + json.dumps(model.xgboost_version) + "}")
        self._model_version = model.package["version"]
        self._routes: dict[str, dict[str, Callable[[Mapping[str, Any]], tuple[dict, int]]]] = {
            "/predict": {"POST": self._predict},
            "/health": {"GET": self._health},
        }

    # ------------------------------------------------------------------ entry
    def handle(self, event: Any, context: Any) -> dict:
        started = time.perf_counter()
        request_id = getattr(context, "aws_request_id", None)
        log: dict[str, Any] = {"level": "INFO", "message": "request", "requestId": request_id}
        try:
            method, path = self._route_of(event, log)
            routes = self._routes.get(path)
            if routes is None:
                raise RequestError(404, "not_found", f"no route {str(path)[:200]!r}; use POST /predict or GET /health")
            action = routes.get(method)
            if action is None:
                allow = ", ".join(routes)
                raise RequestError(405, "method_not_allowed", f"{method} is not allowed on {path}; use {allow}",
                                   headers={"allow": allow})
            if self.settings.log_payloads:
                log["requestBody"] = str(event.get("body"))[:MAX_LOGGED_PAYLOAD_CHARS]
            response, records = action(event)
            log["records"] = records
        except RequestError as exc:
            log["level"] = "WARNING"
            log["errorCode"] = exc.code
            if exc.field is not None:
                log["errorField"] = exc.field
            if exc.index is not None:
                log["errorIndex"] = exc.index
            response = self._response(exc.status, json.dumps(exc.to_body(), separators=(",", ":")), exc.headers)
        except Exception as exc:  # noqa: BLE001 - the last line of defence: never leak a stack trace
            log["level"] = "ERROR"
            log["errorCode"] = "internal_error"
            log["exception"] = f"{type(exc).__name__}: {exc}"
            import traceback  # only on this path: 2 ms of cold start otherwise

            log["traceback"] = traceback.format_exc()
            body = {"error": {"code": "internal_error",
                              "message": "internal error; quote the request id when reporting it",
                              "requestId": request_id}}
            response = self._response(500, json.dumps(body, separators=(",", ":")))
        log["status"] = response["statusCode"]
        log["latencyMs"] = round((time.perf_counter() - started) * 1000.0, 3)
        log["modelVersion"] = self._model_version
        self.logger.emit(log)
        return response

    # ------------------------------------------------------------------ routes
    def _predict(self, event: Mapping[str, Any]) -> tuple[dict, int]:
        fmt = request_format(_header(event.get("headers"), "content-type"))
        max_bytes = self.settings.max_body_bytes
        # Parsed JSON holds no reference cycles, so a collection while a body is parsed and validated finds
        # nothing to free; it only walks up to 1,000 fresh lists or dicts (~50 us per 1,000-row columnar
        # request). Freed objects leave the collector's count again, so nothing piles up for later.
        collecting = gc.isenabled()
        gc.disable()
        try:
            if fmt is RECORDS:
                text = body_text(event, max_bytes, "invalid_json", "request body is empty; send a JSON object with an \"instances\" list")
                features = self.validator.features(parse_json(text))
            elif fmt is COLUMNAR:
                text = body_text(event, max_bytes, "invalid_json", "request body is empty; send {\"columns\": [...], \"data\": [[...]]}")
                features = self.columnar.features(parse_json(text))
            else:  # CSV
                text = body_text(event, max_bytes, "invalid_csv", "request body is empty; send one CSV row per record")
                features = self.csv.features(text)
        finally:
            if collecting:
                gc.enable()
        values = self.model.predict(features).tolist()
        if not math.isfinite(sum(values)):  # a model bug, not the client's: answered with the generic 500
            raise ValueError("the model returned a non-finite prediction")
        # Python floats: orjson writes each as float.__repr__ does (the float32 value, exactly), as json.dumps did.
        body = orjson.dumps({"predictions": values, "model": self._package}).decode()
        return self._response(200, body), features.shape[0]

    def _health(self, event: Mapping[str, Any]) -> tuple[dict, int]:
        return self._response(200, self._health_body), 0

    # ------------------------------------------------------------------ helpers
    @staticmethod
    def _route_of(event: Any, log: dict) -> tuple[str, str]:
        context = event.get("requestContext") if isinstance(event, dict) else None
        http = context.get("http") if isinstance(context, dict) else None
        if not isinstance(http, dict) or not isinstance(http.get("method"), str):
            raise RequestError(400, "unsupported_event", "expected an API Gateway HTTP API (payload format 2.0) event")
        if log.get("requestId") is None:
            log["requestId"] = context.get("requestId")
        log["apiRequestId"] = context.get("requestId")
        method = http["method"].upper()
        path = event.get("rawPath") or http.get("path") or "/"
        if not isinstance(path, str):
            path = "/"
        stage = context.get("stage")
        if isinstance(stage, str) and stage not in ("", "$default") and path.startswith(f"/{stage}/"):
            path = path[len(stage) + 1:]
        path = path.rstrip("/") or "/"
        log["method"] = method
        log["path"] = path[:200]
        return method, path

    @staticmethod
    def _response(status: int, body: str, extra_headers: Mapping[str, str] | None = None) -> dict:
        headers = dict(JSON_HEADERS)
        if extra_headers:
            headers.update(extra_headers)
        return {"statusCode": status, "headers": headers, "body": body, "isBase64Encoded": False}
