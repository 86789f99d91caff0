"""Request body decoding and validation of prediction instances.

Everything a client can send is checked here and turned into either a float
feature matrix or a :class:`RequestError` (4xx) that names the offending field,
e.g. ``instances[3].length``.

Validation has three paths that accept exactly the same inputs:

* a single-record path in plain Python (one record is the usual online
  request, and a dozen small numpy calls would cost more than the checks);
* a fast path for the common case (every record well formed), written with
  C-level builtins (``map``, ``itemgetter``, ``np.fromiter``) so a
  1,000-record request costs little more than the model itself;
* a slow path, run only when the fast path sees anything unusual, which walks
  the records in order and raises the first precise error.
"""

from __future__ import annotations

import base64
import binascii
import difflib
import json
import math
from itertools import chain, repeat
from operator import eq, itemgetter
from typing import Any, Callable, Mapping, Sequence

import numpy as np

from .bounds import FIELD_BOUNDS
from .errors import RequestError
from .transform import Transform

TOP_LEVEL_KEY = "instances"


class NonFiniteNumber:
    """Stands in for the JSON tokens NaN, Infinity and -Infinity.

    Python's json module accepts these tokens by default; they are not JSON
    (RFC 8259) and never valid model input. Decoding them to this marker lets
    validation report *which* field held one.
    """

    __slots__ = ("token",)

    def __init__(self, token: str) -> None:
        self.token = token

    def __repr__(self) -> str:
        return self.token


# Built once: json.loads with any option builds a new decoder on every call.
_DECODER = json.JSONDecoder(parse_constant=NonFiniteNumber)


def _json_type_name(value: Any) -> str:
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "boolean"
    if isinstance(value, (int, float)):
        return "number"
    if isinstance(value, str):
        return "string"
    if isinstance(value, list):
        return "array"
    if isinstance(value, dict):
        return "object"
    return type(value).__name__


def _short(value: Any, limit: int = 40) -> str:
    text = json.dumps(value) if not isinstance(value, NonFiniteNumber) else value.token
    return text if len(text) <= limit else text[: limit - 3] + "..."


def _normalise_name(name: str) -> str:
    return name.strip().lower().replace(" ", "_").replace("-", "_")


def suggest_field(name: Any, allowed: Sequence[str]) -> str | None:
    """The allowed field a misspelt ``name`` most likely meant, or None."""
    if not isinstance(name, str):
        return None
    normalised = _normalise_name(name)
    for field in allowed:
        if normalised == field:
            return field
    matches = difflib.get_close_matches(normalised, list(allowed), n=1, cutoff=0.6)
    return matches[0] if matches else None


# --------------------------------------------------------------------------- body


def decode_body(event: Mapping[str, Any], max_body_bytes: int) -> Any:
    """Decode the HTTP API event body to a JSON value (size, encoding, syntax)."""
    body = event.get("body")
    if body is None or body == "":
        raise RequestError(400, "invalid_json", "request body is empty; send a JSON object with an \"instances\" list")
    if not isinstance(body, str):
        raise RequestError(400, "invalid_json", "request body must be text")
    if event.get("isBase64Encoded"):
        # 4 base64 characters carry 3 bytes: reject clearly oversized bodies before decoding.
        if len(body) > (max_body_bytes // 3 + 2) * 4:
            raise _too_large(max_body_bytes)
        try:
            raw = base64.b64decode(body, validate=True)
        except (binascii.Error, ValueError):
            raise RequestError(400, "invalid_encoding", "request body is marked base64-encoded but is not valid base64") from None
        if len(raw) > max_body_bytes:
            raise _too_large(max_body_bytes)
        try:
            text = raw.decode("utf-8")
        except UnicodeDecodeError as exc:
            raise RequestError(400, "invalid_encoding",
                               f"request body is not valid UTF-8 (byte offset {exc.start})") from None
    else:
        if len(body) > max_body_bytes:  # characters <= bytes: a cheap early check
            raise _too_large(max_body_bytes)
        try:
            size = len(body.encode("utf-8"))
        except UnicodeEncodeError as exc:
            raise RequestError(400, "invalid_encoding",
                               f"request body is not valid UTF-8 (character offset {exc.start})") from None
        if size > max_body_bytes:
            raise _too_large(max_body_bytes)
        text = body
    try:
        return _DECODER.decode(text)
    except json.JSONDecodeError as exc:
        raise RequestError(400, "invalid_json",
                           f"request body is not valid JSON: {exc.msg} at line {exc.lineno} column {exc.colno}") from None
    except (ValueError, RecursionError):
        # e.g. integers with more than 4,300 digits, or nesting deeper than the parser allows
        raise RequestError(400, "invalid_json", "request body is not valid JSON or is nested/sized beyond what this API accepts") from None


def _too_large(max_body_bytes: int) -> RequestError:
    return RequestError(413, "payload_too_large", f"request body exceeds {max_body_bytes} bytes; split the instances into smaller requests")


# --------------------------------------------------------------------------- instances


def _getter(fields: Sequence[str]) -> Callable[[Any], tuple]:
    if len(fields) == 1:
        field = fields[0]
        return lambda record: (record[field],)
    return itemgetter(*fields)


class InstanceValidator:
    """Validates ``{"instances": [...]}`` against a :class:`Transform` and builds features."""

    def __init__(self, transform: Transform, max_records: int) -> None:
        self.transform = transform
        self.max_records = max_records
        self.fields = transform.input_fields
        self.field_set = frozenset(self.fields)
        self.numeric_fields = transform.numeric_fields
        missing = [f for f in self.numeric_fields if f not in FIELD_BOUNDS]
        if missing:
            raise ValueError(f"no physical bounds defined in app/bounds.py for numeric field(s) {missing}")
        self.lower = np.array([FIELD_BOUNDS[f][0] for f in self.numeric_fields], dtype=np.float64)
        self.upper = np.array([FIELD_BOUNDS[f][1] for f in self.numeric_fields], dtype=np.float64)
        self._numeric_getter = _getter(self.numeric_fields) if self.numeric_fields else None
        self._numeric_types = frozenset((int, float))
        # Category lookup: exact value, plus its upper/lower-case spelling when
        # that is unambiguous (so "m" means "M"); surrounding spaces are not trimmed.
        self.category_lookup: dict[str, dict[str, int]] = {}
        for field in transform.categorical_fields:
            columns = transform.category_columns[field]
            lookup = dict(columns)
            folded = [v.casefold() for v in columns]
            if len(set(folded)) == len(folded):
                for value, column in columns.items():
                    for variant in (value.lower(), value.upper()):
                        lookup.setdefault(variant, column)
            self.category_lookup[field] = lookup
        self._category_getters = [(f, itemgetter(f), self.category_lookup[f]) for f in transform.categorical_fields]
        self._numeric_checks = tuple(zip(self.numeric_fields, self.lower.tolist(), self.upper.tolist()))

    # -- entry point
    def features(self, doc: Any) -> np.ndarray:
        instances = self.instances(doc)
        if len(instances) == 1:
            single = self._single(instances[0])
            if single is not None:
                return self.transform.apply_one(*single)
        parsed = self._fast(instances)
        if parsed is None:
            parsed = self._slow(instances)
        numeric, category_columns = parsed
        return self.transform.apply(numeric, category_columns)

    def instances(self, doc: Any) -> list:
        if type(doc) is not dict:
            raise RequestError(400, "invalid_shape",
                               f"request body must be a JSON object like {{\"instances\": [...]}}, got {_json_type_name(doc)}")
        for key in doc:
            if key != TOP_LEVEL_KEY:
                hint = suggest_field(key, (TOP_LEVEL_KEY,))
                message = f"unknown top-level field {_short(key)}" + (f"; did you mean \"{hint}\"?" if hint else f"; the only field is \"{TOP_LEVEL_KEY}\"")
                raise RequestError(400, "unknown_field", message, field=key[:100])
        if TOP_LEVEL_KEY not in doc:
            raise RequestError(400, "missing_field", "request body must have an \"instances\" list", field=TOP_LEVEL_KEY)
        instances = doc[TOP_LEVEL_KEY]
        if type(instances) is not list:
            raise RequestError(400, "invalid_type", f"\"instances\" must be an array of objects, got {_json_type_name(instances)}", field=TOP_LEVEL_KEY)
        if not instances:
            raise RequestError(400, "empty_instances", "\"instances\" must contain at least one record", field=TOP_LEVEL_KEY)
        if len(instances) > self.max_records:
            raise RequestError(400, "too_many_records",
                               f"\"instances\" has {len(instances)} records; the limit is {self.max_records} per request",
                               field=TOP_LEVEL_KEY)
        return instances

    # -- single-record path: returns None whenever anything is unusual
    def _single(self, record: Any) -> tuple[list[float], list[int]] | None:
        if type(record) is not dict or record.keys() != self.field_set:
            return None
        numeric = []
        for field, lower, upper in self._numeric_checks:
            value = record[field]
            if type(value) is not float and type(value) is not int:  # excludes bool and NonFiniteNumber
                return None
            if not lower <= value <= upper:  # also false for NaN and infinities
                return None
            numeric.append(value)
        columns = []
        for field, _getter, lookup in self._category_getters:
            value = record[field]
            column = lookup.get(value) if type(value) is str else None
            if column is None:
                return None
            columns.append(column)
        return numeric, columns

    # -- fast path: returns None whenever anything is unusual
    def _fast(self, instances: list) -> tuple[np.ndarray, list[np.ndarray]] | None:
        n = len(instances)
        try:
            if not all(map(eq, map(dict.keys, instances), repeat(self.field_set))):
                return None
            if self._numeric_getter is not None:
                rows = list(map(self._numeric_getter, instances))
                if not self._numeric_types.issuperset(map(type, chain.from_iterable(rows))):
                    return None
                width = len(self.numeric_fields)
                numeric = np.fromiter(chain.from_iterable(rows), dtype=np.float64, count=n * width).reshape(n, width)
                if not ((numeric >= self.lower) & (numeric <= self.upper)).all():
                    return None
            else:
                numeric = np.empty((n, 0), dtype=np.float64)
            category_columns = []
            for _field, getter, lookup in self._category_getters:
                columns = list(map(lookup.get, map(getter, instances)))
                if None in columns:
                    return None
                category_columns.append(np.fromiter(columns, dtype=np.intp, count=n))
        except (TypeError, OverflowError, KeyError):
            return None
        return numeric, category_columns

    # -- slow path: precise first error, in record then field order
    def _slow(self, instances: list) -> tuple[np.ndarray, list[np.ndarray]]:
        numeric_rows = []
        category_columns: list[list[int]] = [[] for _ in self._category_getters]
        for index, record in enumerate(instances):
            where = f"instances[{index}]"
            if type(record) is not dict:
                raise RequestError(400, "invalid_type",
                                   f"{where} must be an object with fields {', '.join(self.fields)}; got {_json_type_name(record)}",
                                   field=TOP_LEVEL_KEY, index=index)
            for key in record:
                if key not in self.field_set:
                    hint = suggest_field(key, self.fields)
                    message = f"unknown field {_short(key)} in {where}" + (
                        f"; did you mean \"{hint}\"?" if hint else f"; expected fields are {', '.join(self.fields)}")
                    raise RequestError(400, "unknown_field", message, field=key[:100], index=index)
            for field in self.fields:
                if field not in record:
                    raise RequestError(400, "missing_field", f"{where} is missing required field \"{field}\"",
                                       field=field, index=index)
            row = []
            for j, field in enumerate(self.numeric_fields):
                row.append(self._check_number(record[field], j, field, index))
            numeric_rows.append(row)
            for k, (field, _getter, lookup) in enumerate(self._category_getters):
                category_columns[k].append(self._check_category(record[field], field, lookup, index))
        numeric = np.array(numeric_rows, dtype=np.float64).reshape(len(instances), len(self.numeric_fields))
        return numeric, [np.array(c, dtype=np.intp) for c in category_columns]

    def _check_number(self, value: Any, j: int, field: str, index: int) -> float:
        path = f"instances[{index}].{field}"
        if isinstance(value, NonFiniteNumber):
            raise RequestError(400, "non_finite", f"{path} is {value.token}; only finite numbers are allowed",
                               field=field, index=index)
        if type(value) not in (int, float):  # excludes booleans (type bool)
            hint = " (send the number without quotes)" if isinstance(value, str) else ""
            raise RequestError(400, "invalid_type", f"{path} must be a number, got {_json_type_name(value)} {_short(value)}{hint}",
                               field=field, index=index)
        if type(value) is float and not math.isfinite(value):
            # e.g. 1e999, which Python's json module parses to inf
            raise RequestError(400, "non_finite", f"{path} is {_short(value)}; only finite numbers are allowed",
                               field=field, index=index)
        # Python floats, not numpy's: comparing a huge JSON integer (10**400) with them is exact, never an OverflowError.
        _field, lo, hi = self._numeric_checks[j]
        if not lo <= value <= hi:
            raise RequestError(400, "out_of_range", f"{path} is {_short(value)}; it must be between {lo:g} and {hi:g}",
                               field=field, index=index)
        return float(value)

    def _check_category(self, value: Any, field: str, lookup: Mapping[str, int], index: int) -> int:
        path = f"instances[{index}].{field}"
        if type(value) is not str:
            raise RequestError(400, "invalid_type", f"{path} must be a string, got {_json_type_name(value)} {_short(value)}",
                               field=field, index=index)
        column = lookup.get(value)
        if column is None:
            allowed = ", ".join(self.transform.categories[field])
            raise RequestError(400, "invalid_category", f"{path} is {_short(value)}; it must be one of {allowed}",
                               field=field, index=index)
        return column
