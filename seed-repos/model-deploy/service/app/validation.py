"""The JSON records format, ``{"instances": [{field: value, ...}, ...]}``: validation into feature inputs.

Everything a client can send in this format is checked here and turned into
either a float feature matrix or a :class:`RequestError` (4xx) that names the
offending field, e.g. ``instances[3].length``; the value rules themselves are
in ``app/fields.py``, shared with the columnar and CSV formats.

Validation has three paths that accept exactly the same inputs:

* a single-record path in plain Python (one record is the usual online
  request, and a dozen small numpy calls would cost more than the checks);
* a fast path for the common case (every record well formed), written with
  C-level builtins (``map``, ``itemgetter``, ``struct.pack`` in ``app/numbers.py``)
  so a 1,000-record request costs little more than parsing it and the model;
* a slow path, run only when the fast path sees anything unusual, which walks
  the records in order and raises the first precise error.
"""

from __future__ import annotations

import struct
from functools import reduce
from operator import iconcat
from operator import itemgetter
from typing import Any, Callable, Sequence

import numpy as np

from .describe import json_type_name, short, suggest_field
from .errors import RequestError
from .fields import FieldRules
from .numbers import column_indices, number_array
from .transform import Transform

TOP_LEVEL_KEY = "instances"
_DICT_TYPE = {dict}




def _no_fields(record: Any) -> tuple:
    return ()


def _getter(fields: Sequence[str]) -> Callable[[Any], tuple]:
    if len(fields) == 1:
        field = fields[0]
        return lambda record: (record[field],)
    return itemgetter(*fields)


class InstanceValidator:
    """Validates ``{"instances": [...]}`` against a :class:`Transform` and builds features."""

    def __init__(self, transform: Transform, max_records: int, rules: FieldRules | None = None) -> None:
        self.transform = transform
        self.max_records = max_records
        self.rules = rules or FieldRules(transform)
        self.fields = transform.input_fields
        self.field_set = frozenset(self.fields)
        self.numeric_fields = transform.numeric_fields
        self._numeric_getter = _getter(self.numeric_fields) if self.numeric_fields else _no_fields
        self._width_set = {len(self.fields)}
        self._category_getters = [(f, itemgetter(f), self.rules.category_lookup[f]) for f in transform.categorical_fields]
        # One record is the usual online request: one precomputed step per field, plain Python floats
        # (a dozen small numpy calls would cost more than the checks).
        self._n_features = transform.n_features
        self._row_format = struct.Struct(f"={transform.n_features}f")
        self._numeric_plan = tuple((field, lower, upper, mean, std, column) for (field, lower, upper), (mean, std, column)
                                   in zip(self.rules.numeric_checks, transform.numeric_plan))
        self._category_plan = tuple((f, lookup) for f, _getter, lookup in self._category_getters)

    # -- entry point
    def features(self, doc: Any) -> np.ndarray:
        instances = self.instances(doc)
        if len(instances) == 1:
            row = self._single(instances[0])
            if row is not None:
                # struct's "f" rounds each double to float32 as numpy's astype does (a C cast); cheaper than np.array.
                return np.frombuffer(self._row_format.pack(*row), dtype=np.float32).reshape(1, self._n_features)
        parsed = self._fast(instances)
        if parsed is None:
            parsed = self._slow(instances)
        numeric, category_columns = parsed
        return self.transform.apply(numeric, category_columns)

    def instances(self, doc: Any) -> list:
        if type(doc) is not dict:
            raise RequestError(400, "invalid_shape",
                               f"request body must be a JSON object like {{\"instances\": [...]}}, got {json_type_name(doc)}")
        for key in doc:
            if key != TOP_LEVEL_KEY:
                hint = suggest_field(key, (TOP_LEVEL_KEY,))
                if hint:
                    message = f"unknown top-level field {short(key)}; did you mean \"{hint}\"?"
                elif key in ("columns", "data"):
                    message = (f"unknown top-level field {short(key)}: a columnar body needs "
                               "Content-Type: application/json; format=pandas-split")
                else:
                    message = f"unknown top-level field {short(key)}; the only field is \"{TOP_LEVEL_KEY}\""
                raise RequestError(400, "unknown_field", message, field=key[:100])
        if TOP_LEVEL_KEY not in doc:
            raise RequestError(400, "missing_field", "request body must have an \"instances\" list", field=TOP_LEVEL_KEY)
        instances = doc[TOP_LEVEL_KEY]
        if type(instances) is not list:
            raise RequestError(400, "invalid_type", f"\"instances\" must be an array of objects, got {json_type_name(instances)}", field=TOP_LEVEL_KEY)
        if not instances:
            raise RequestError(400, "empty_instances", "\"instances\" must contain at least one record", field=TOP_LEVEL_KEY)
        if len(instances) > self.max_records:
            raise RequestError(400, "too_many_records",
                               f"\"instances\" has {len(instances)} records; the limit is {self.max_records} per request",
                               field=TOP_LEVEL_KEY)
        return instances

    # -- single-record path: the feature row as Python floats, or None whenever anything is unusual
    def _single(self, record: Any) -> list[float] | None:
        if type(record) is not dict or record.keys() != self.field_set:
            return None
        row = [0.0] * self._n_features
        for field, lower, upper, mean, std, column in self._numeric_plan:
            value = record[field]
            if type(value) is not float and type(value) is not int:  # excludes bool and NonFiniteNumber
                return None
            if not lower <= value <= upper:  # also false for NaN and infinities
                return None
            # The same IEEE float64 (x - mean) / std as Transform.apply, then the same rounding to float32.
            row[column] = (value - mean) / std
        for field, lookup in self._category_plan:
            value = record[field]
            column = lookup.get(value) if type(value) is str else None
            if column is None:
                return None
            row[column] = 1.0
        return row

    # -- fast path: returns None whenever anything is unusual
    def _fast(self, instances: list) -> tuple[np.ndarray, list[np.ndarray]] | None:
        n = len(instances)
        # dicts with as many keys as there are fields, each field present (else KeyError): exactly the fields.
        # Two passes of C builtins check each record's type and size (parsed JSON holds only exact dicts and lists).
        if set(map(type, instances)) != _DICT_TYPE or set(map(len, instances)) != self._width_set:
            return None
        try:
            # In-place extends by each record's tuple of numbers: about half the time of list(chain.from_iterable(...)).
            values = reduce(iconcat, map(self._numeric_getter, instances), [])
        except KeyError:
            return None
        numeric = number_array(values)
        if numeric is None:
            return None
        numeric = numeric.reshape(n, len(self.numeric_fields))
        if not self.rules.in_bounds(numeric):
            return None
        category_columns = []
        for _field, getter, lookup in self._category_getters:
            try:
                columns = list(map(lookup.__getitem__, map(getter, instances)))
            except (TypeError, KeyError):  # an unhashable value (array, object); a missing field; not a category
                return None
            category_columns.append(column_indices(columns))
        return numeric, category_columns

    # -- slow path: precise first error, in record then field order
    def _slow(self, instances: list) -> tuple[np.ndarray, list[np.ndarray]]:
        numeric_rows = []
        category_columns: list[list[int]] = [[] for _ in self._category_getters]
        for index, record in enumerate(instances):
            where = f"instances[{index}]"
            if type(record) is not dict:
                raise RequestError(400, "invalid_type",
                                   f"{where} must be an object with fields {', '.join(self.fields)}; got {json_type_name(record)}",
                                   field=TOP_LEVEL_KEY, index=index)
            for key in record:
                if key not in self.field_set:
                    hint = suggest_field(key, self.fields)
                    message = f"unknown field {short(key)} in {where}" + (
                        f"; did you mean \"{hint}\"?" if hint else f"; expected fields are {', '.join(self.fields)}")
                    raise RequestError(400, "unknown_field", message, field=key[:100], index=index)
            for field in self.fields:
                if field not in record:
                    raise RequestError(400, "missing_field", f"{where} is missing required field \"{field}\"",
                                       field=field, index=index)
            numeric_rows.append([self.rules.json_number(record[field], j, f"{where}.{field}", index)
                                 for j, field in enumerate(self.numeric_fields)])
            for k, (field, _getter, _lookup) in enumerate(self._category_getters):
                category_columns[k].append(self.rules.category(record[field], field, f"{where}.{field}", index))
        numeric = np.array(numeric_rows, dtype=np.float64).reshape(len(instances), len(self.numeric_fields))
        return numeric, [np.array(c, dtype=np.intp) for c in category_columns]
