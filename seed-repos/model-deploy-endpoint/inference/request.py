"""What a valid prediction request is, and the error each invalid one gets.

A request is ``Content-Type: application/json`` with a body ``{"instances": [{...}, ...]}``:
1..MAX_RECORDS records, each with exactly the model's input fields, categorical values among
the model's categories and numbers within the model's accepted range, all read from the
model's transform.json (transform.py); nothing here names a field. Every problem raises
RequestError (4xx) naming the record index and field, e.g.
``instances[3].<field>: must be a number, got string "abc"``.
"""

from __future__ import annotations

import json
import math
from typing import Any

from request_error import RequestError
from transform import FeatureTransform, TransformFileError

JSON_CONTENT_TYPE = "application/json"
TOP_LEVEL_KEY = "instances"
MAX_RECORDS = 1000
# Far below the 6 MB InvokeEndpoint limit; 1,000 records of ten fields take about 200 kB.
MAX_BODY_BYTES = 1_000_000


def format_range(low: float, high: float) -> str:
    """How an accepted range appears in messages: 6 significant digits, e.g. ``0..1.63``."""
    return f"{low:.6g}..{high:.6g}"


class _NonFinite:
    """Marks the non-JSON tokens NaN/Infinity/-Infinity so the error can name their field."""

    def __init__(self, token: str) -> None:
        self.token = token


class _DuplicateKey(Exception):
    pass


def _object_without_duplicates(pairs: list[tuple[str, Any]]) -> dict:
    result = {}
    for key, value in pairs:
        if key in result:
            raise _DuplicateKey(key)
        result[key] = value
    return result


_DECODER = json.JSONDecoder(parse_constant=_NonFinite, object_pairs_hook=_object_without_duplicates)


def _describe(value: Any) -> str:
    if isinstance(value, _NonFinite):
        return value.token
    kind = ("null" if value is None else "boolean" if isinstance(value, bool)
            else "number" if isinstance(value, (int, float)) else "string" if isinstance(value, str)
            else "array" if isinstance(value, list) else "object")
    if kind in ("array", "object"):
        return kind
    text = json.dumps(value)
    return f"{kind} {text if len(text) <= 40 else text[:37] + '...'}"


def check_content_type(content_type: Any) -> None:
    media_type = str(content_type or "").split(";")[0].strip().lower()
    if media_type != JSON_CONTENT_TYPE:
        raise RequestError(f"Content-Type must be {JSON_CONTENT_TYPE}, got {str(content_type or 'none')[:60]!r}", 415)


def decode_body(body: Any) -> Any:
    """Bytes or text to a JSON value: the container's worker hands over text for exactly
    ``application/json`` and bytes for e.g. ``application/json; charset=utf-8``
    (``sagemaker_containers/_worker.py`` ``Request.content``)."""
    if isinstance(body, (bytes, bytearray)):
        if len(body) > MAX_BODY_BYTES:
            raise RequestError(f"request body exceeds {MAX_BODY_BYTES} bytes; send fewer records per request", 413)
        try:
            body = bytes(body).decode("utf-8")
        except UnicodeDecodeError as exc:
            raise RequestError(f"request body is not valid UTF-8 (byte {exc.start})") from None
    if not isinstance(body, str):
        raise RequestError("request body must be JSON text")
    if len(body.encode("utf-8", "surrogatepass")) > MAX_BODY_BYTES:
        raise RequestError(f"request body exceeds {MAX_BODY_BYTES} bytes; send fewer records per request", 413)
    if not body.strip():
        raise RequestError('request body is empty; send {"instances": [...]}')
    try:
        return _DECODER.decode(body)
    except _DuplicateKey as exc:
        raise RequestError(f"request body repeats the key {str(exc)[:60]!r}") from None
    except json.JSONDecodeError as exc:
        # The container's worker decodes an application/json body as UTF-8 with errors="replace"
        # (werkzeug get_data(as_text=True)), so bytes that are not UTF-8 arrive here as U+FFFD.
        hint = "; it has U+FFFD characters: was it sent in an encoding other than UTF-8?" if "\ufffd" in body else ""
        raise RequestError(f"request body is not valid JSON: {exc.msg} at line {exc.lineno} column {exc.colno}{hint}") from None
    except (ValueError, RecursionError):
        raise RequestError("request body is not valid JSON or is nested or sized beyond what this endpoint accepts") from None


class RequestValidator:
    """Checks decoded requests against the model's input contract and builds its features."""

    def __init__(self, transform: FeatureTransform, max_records: int = MAX_RECORDS) -> None:
        self.transform = transform
        self.max_records = max_records
        self.fields = transform.input_fields
        self._allowed = set(self.fields)  # for the unknown-field check; messages keep the contract's order
        # Formatted once: a valid number never pays for the message it does not get.
        self._ranges = {f: format_range(*transform.bounds[f]) for f in transform.numeric_fields}
        # The contract's examples are what the README and the smoke test send: refuse a model whose examples this
        # validator would answer with a 400, when it loads, not when a client tries them.
        for index, example in enumerate(transform.examples):
            try:
                self._check_record(f"examples[{index}]", example)
            except RequestError as error:
                raise TransformFileError(f"transform.json: {error.message}") from None

    def records(self, doc: Any) -> list[dict]:
        if not isinstance(doc, dict):
            raise RequestError(f'request body must be a JSON object {{"instances": [...]}}, got {_describe(doc)}')
        extra = [k for k in doc if k != TOP_LEVEL_KEY]
        if extra:
            raise RequestError(f'unknown top-level field {extra[0][:60]!r}; the only field is "{TOP_LEVEL_KEY}"')
        if TOP_LEVEL_KEY not in doc:
            raise RequestError(f'request body must have an "{TOP_LEVEL_KEY}" list')
        instances = doc[TOP_LEVEL_KEY]
        if not isinstance(instances, list):
            raise RequestError(f"{TOP_LEVEL_KEY}: must be an array of records, got {_describe(instances)}")
        if not instances:
            raise RequestError(f"{TOP_LEVEL_KEY}: must contain at least one record")
        if len(instances) > self.max_records:
            raise RequestError(f"{TOP_LEVEL_KEY}: has {len(instances)} records; the limit is {self.max_records} per request")
        for index, record in enumerate(instances):
            self._check_record(f"{TOP_LEVEL_KEY}[{index}]", record)
        return instances

    def _check_record(self, where: str, record: Any) -> None:
        if not isinstance(record, dict):
            raise RequestError(f"{where}: must be an object with fields {', '.join(self.fields)}; got {_describe(record)}")
        missing = [f for f in self.fields if f not in record]
        if missing:
            raise RequestError(f"{where}.{missing[0]}: missing (required fields: {', '.join(self.fields)})")
        extra = [k for k in record if k not in self._allowed]
        if extra:
            raise RequestError(f"{where}.{extra[0][:60]}: unknown field (allowed: {', '.join(self.fields)})")
        categories = self.transform.categories
        bounds = self.transform.bounds
        for field in self.fields:
            value = record[field]
            if field in categories:
                allowed = categories[field]
                if not isinstance(value, str):
                    raise RequestError(f"{where}.{field}: must be a string, one of {', '.join(allowed)}; got {_describe(value)}")
                if value not in allowed:
                    raise RequestError(f"{where}.{field}: unknown value {value[:40]!r}; expected one of {', '.join(allowed)}")
                continue
            if isinstance(value, _NonFinite):
                raise RequestError(f"{where}.{field}: {value.token} is not allowed; send a finite number")
            if isinstance(value, bool) or not isinstance(value, (int, float)):
                raise RequestError(f"{where}.{field}: must be a number, got {_describe(value)}")
            low, high = bounds[field]
            # Only floats can be infinite; math.isfinite(10**400) would raise OverflowError, a comparison never does.
            if (type(value) is float and not math.isfinite(value)) or not low <= value <= high:
                shown = repr(value) if len(repr(value)) <= 40 else repr(value)[:37] + "..."
                raise RequestError(f"{where}.{field}: {shown} is outside the accepted range {self._ranges[field]}")
