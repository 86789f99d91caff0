"""The columnar JSON format: pandas' "split" orientation without the index.

    Content-Type: application/json; format=pandas-split
    {"columns": ["sex", "length", ...], "data": [["M", 0.455, ...], ...]}

This is what ``DataFrame.to_json(orient="split", index=False)`` writes, and the
body and Content-Type MLflow's scoring server took for it
(https://mlflow.org/docs/1.30.0/models.html#deploy-mlflow-models), so a client
holding a DataFrame sends one call's output. Field names are written once
instead of once per record, so the body is about half the size of the records
format and parses in about half the time. Columns may come in any order; each
input field exactly once.
"""

from __future__ import annotations

from functools import reduce
from operator import iconcat
from typing import Any

import numpy as np

from .describe import json_type_name, short, suggest_field
from .errors import RequestError
from .fields import FieldRules
from .numbers import column_indices, number_array
from .transform import Transform

COLUMNS_KEY, DATA_KEY = "columns", "data"
_TOP_LEVEL = (COLUMNS_KEY, DATA_KEY)
_LIST_TYPE = {list}


class ColumnarValidator:
    """Validates a split-orientation body against a :class:`Transform` and builds features."""

    def __init__(self, transform: Transform, max_records: int, rules: FieldRules | None = None) -> None:
        self.transform = transform
        self.max_records = max_records
        self.rules = rules or FieldRules(transform)
        self.fields = transform.input_fields
        self.field_set = frozenset(self.fields)
        self._layouts: dict[tuple[str, ...], tuple[tuple, np.ndarray | None]] = {}

    def features(self, doc: Any) -> np.ndarray:
        columns, data = self._parts(doc)
        parsed = self._fast(data, len(columns), *self._layout(columns))
        if parsed is None:
            parsed = self._slow(data, columns)
        return self.transform.apply(*parsed)

    # -- the document around the rows
    def _parts(self, doc: Any) -> tuple[tuple[str, ...], list]:
        if type(doc) is not dict:
            raise RequestError(400, "invalid_shape",
                               f"request body must be a JSON object like {{\"columns\": [...], \"data\": [[...]]}}, got {json_type_name(doc)}")
        for key in doc:
            if key not in _TOP_LEVEL:
                if key == "index":
                    message = "unknown top-level field \"index\": write the body with DataFrame.to_json(orient=\"split\", index=False)"
                elif key == "instances":
                    message = "unknown top-level field \"instances\": a records body needs Content-Type: application/json"
                else:
                    hint = suggest_field(key, _TOP_LEVEL)
                    message = f"unknown top-level field {short(key)}" + (
                        f"; did you mean \"{hint}\"?" if hint else "; the fields are \"columns\" and \"data\"")
                raise RequestError(400, "unknown_field", message, field=key[:100])
        for key in _TOP_LEVEL:
            if key not in doc:
                raise RequestError(400, "missing_field", f"request body must have a \"{key}\" list", field=key)
        columns, data = doc[COLUMNS_KEY], doc[DATA_KEY]
        if type(columns) is not list or not all(type(c) is str for c in columns):
            raise RequestError(400, "invalid_type", f"\"columns\" must be an array of field names, got {short(columns)}",
                               field=COLUMNS_KEY)
        seen = set()
        for name in columns:
            if name in seen:
                raise RequestError(400, "duplicate_field", f"\"columns\" names {short(name)} twice", field=name[:100])
            seen.add(name)
            if name not in self.field_set:
                hint = suggest_field(name, self.fields)
                message = f"unknown column {short(name)}" + (
                    f"; did you mean \"{hint}\"?" if hint else f"; expected columns are {', '.join(self.fields)}")
                raise RequestError(400, "unknown_field", message, field=name[:100])
        for field in self.fields:
            if field not in seen:
                raise RequestError(400, "missing_field", f"\"columns\" lacks required field \"{field}\"", field=field)
        if type(data) is not list:
            raise RequestError(400, "invalid_type", f"\"data\" must be an array of rows, got {json_type_name(data)}", field=DATA_KEY)
        if not data:
            raise RequestError(400, "empty_data", "\"data\" must contain at least one row", field=DATA_KEY)
        if len(data) > self.max_records:
            raise RequestError(400, "too_many_records",
                               f"\"data\" has {len(data)} rows; the limit is {self.max_records} per request", field=DATA_KEY)
        return tuple(columns), data

    def _layout(self, columns: tuple[str, ...]):
        """Where each category sits in a row and how numeric columns map to the transform's order; cached per column order.

        Returns (category cells as (position, lookup), in descending position order;
        the permutation from the row's numeric cells to the transform's numeric order, or None if it is the identity).
        """
        layout = self._layouts.get(columns)
        if layout is None:
            categorical = set(self.rules.categorical_fields)
            categories = sorted(((p, self.rules.categorical_fields.index(f), self.rules.category_lookup[f])
                                 for p, f in enumerate(columns) if f in categorical), reverse=True)
            numeric_in_row = [f for f in columns if f not in categorical]
            order = [numeric_in_row.index(f) for f in self.rules.numeric_fields]
            layout = (tuple(categories), None if order == sorted(order) else np.array(order, dtype=np.intp))
            if len(self._layouts) < 64:  # bounded: clients choose the order
                self._layouts[columns] = layout
        return layout

    # -- fast path: all cells in one flat list; None whenever anything is unusual
    def _fast(self, data: list, width: int, categories, order) -> tuple[np.ndarray, list[np.ndarray]] | None:
        n = len(data)
        # Two passes of C builtins check each row's type and length (about 15% faster than one pass of
        # list.__len__; parsed JSON holds only exact lists and dicts, so a subclass never reaches it).
        if set(map(type, data)) != _LIST_TYPE or set(map(len, data)) != {width}:
            return None
        # In-place extends, one memcpy per row: about half the time of list(chain.from_iterable(data)).
        cells = reduce(iconcat, data, [])
        category_columns: list[np.ndarray | None] = [None] * len(categories)
        stride = width
        for position, k, lookup in categories:  # descending positions: deleting one leaves the earlier ones in place
            try:
                found = list(map(lookup.__getitem__, cells[position::stride]))
            except (KeyError, TypeError):  # not a category, or an unhashable value (array, object)
                return None
            category_columns[k] = column_indices(found)
            del cells[position::stride]
            stride -= 1
        # What is left, row by row, are the numeric cells in the row's column order.
        numeric = number_array(cells)
        if numeric is None:
            return None
        numeric = numeric.reshape(n, stride)
        if order is not None:
            numeric = numeric[:, order]
        if not self.rules.in_bounds(numeric):
            return None
        return numeric, category_columns

    # -- slow path: precise first error, in row then column order
    def _slow(self, data: list, columns: tuple[str, ...]) -> tuple[np.ndarray, list[np.ndarray]]:
        numeric_index = {f: j for j, f in enumerate(self.rules.numeric_fields)}
        category_index = {f: k for k, f in enumerate(self.rules.categorical_fields)}
        numeric_rows = []
        category_columns: list[list[int]] = [[] for _ in category_index]
        for index, row in enumerate(data):
            where = f"data[{index}]"
            if type(row) is not list:
                raise RequestError(400, "invalid_type",
                                   f"{where} must be an array of {len(columns)} values ({', '.join(columns)}); got {json_type_name(row)}",
                                   field=DATA_KEY, index=index)
            if len(row) != len(columns):
                raise RequestError(400, "wrong_field_count",
                                   f"{where} has {len(row)} values; expected {len(columns)}, one per column ({', '.join(columns)})",
                                   field=DATA_KEY, index=index)
            numeric = [0.0] * len(numeric_index)
            for position, (field, value) in enumerate(zip(columns, row)):
                path = f"{where}[{position}] ({field})"
                if field in numeric_index:
                    numeric[numeric_index[field]] = self.rules.json_number(value, numeric_index[field], path, index)
                else:
                    category_columns[category_index[field]].append(self.rules.category(value, field, path, index))
            numeric_rows.append(numeric)
        numeric_array = np.array(numeric_rows, dtype=np.float64).reshape(len(data), len(numeric_index))
        return numeric_array, [np.array(c, dtype=np.intp) for c in category_columns]
