"""The CSV format: ``text/csv`` rows of the model's input fields, in input order, without a header.

    Content-Type: text/csv
    M,0.455,0.365,0.095,0.514,0.2245,0.101,0.15
    F,0.53,0.42,0.135,0.677,0.2565,0.1415,0.21

This is the convention of SageMaker's built-in XGBoost algorithm for inference
("For CSV inference, the algorithm assumes that CSV input does not have the
label column", no header row:
https://docs.aws.amazon.com/sagemaker/latest/dg/xgboost.html#InputOutput-XGBoost),
so a client moving from an endpoint sends the same bytes; here the columns are
the raw input fields of ``transform.json`` (``sex`` as its letter), not the
transformed features. Rows end with ``\\n`` or ``\\r\\n``; one final line end is
optional, a blank row anywhere is an error. Cells are not quoted and not trimmed;
numbers are written as in JSON (``0.455``, ``1e-3``; see ``app/fields.py``).
"""

from __future__ import annotations

import numpy as np

from .errors import RequestError
from .fields import FieldRules, parse_number_list
from .transform import Transform


class CsvValidator:
    """Validates CSV rows against a :class:`Transform` and builds features."""

    def __init__(self, transform: Transform, max_records: int, rules: FieldRules | None = None) -> None:
        self.transform = transform
        self.max_records = max_records
        self.rules = rules or FieldRules(transform)
        self.fields = transform.input_fields
        self.width = len(self.fields)
        numeric = set(transform.numeric_fields)
        self._category_positions = [(p, f, self.rules.category_lookup[f]) for p, f in enumerate(self.fields) if f not in numeric]
        self._numeric_count = len(transform.numeric_fields)

    def features(self, text: str) -> np.ndarray:
        rows = self._rows(text)
        parsed = self._fast(rows)
        if parsed is None:
            parsed = self._slow(rows)
        return self.transform.apply(*parsed)

    def _rows(self, text: str) -> list[str]:
        if "\r" in text:
            text = text.replace("\r\n", "\n")
        if text.endswith("\n"):
            text = text[:-1]
        rows = text.split("\n")
        if len(rows) > self.max_records:
            raise RequestError(400, "too_many_records",
                               f"the body has {len(rows)} rows; the limit is {self.max_records} per request")
        if "" in rows:
            index = rows.index("")
            raise RequestError(400, "blank_row", f"row {index} (line {index + 1}) is blank; send one record per line, no blank lines",
                               index=index)
        return rows

    # -- fast path: all cells at once; None whenever anything is unusual
    def _fast(self, rows: list[str]) -> tuple[np.ndarray, list[np.ndarray]] | None:
        n, width = len(rows), self.width
        cells = ",".join(rows).split(",")
        if len(cells) != n * width:  # some row has too few or too many cells
            return None
        category_columns = [None] * len(self._category_positions)
        for k, (position, _field, lookup) in enumerate(self._category_positions):
            found = list(map(lookup.get, cells[position::width]))
            if None in found:
                return None
            category_columns[k] = np.fromiter(found, dtype=np.intp, count=n)
        # What is left, row by row, are the numeric cells in input order, which is the transform's numeric order.
        stride = width
        for position, _field, _lookup in reversed(self._category_positions):
            del cells[position::stride]
            stride -= 1
        values = parse_number_list(",".join(cells))
        if values is None:
            return None
        numeric = np.array(values, dtype=np.float64).reshape(n, self._numeric_count)
        if not self.rules.in_bounds(numeric):
            return None
        return numeric, category_columns

    # -- slow path: precise first error, in row then column order
    def _slow(self, rows: list[str]) -> tuple[np.ndarray, list[np.ndarray]]:
        numeric_index = {f: j for j, f in enumerate(self.rules.numeric_fields)}
        category_index = {f: k for k, (_p, f, _l) in enumerate(self._category_positions)}
        numeric_rows = []
        category_columns: list[list[int]] = [[] for _ in self._category_positions]
        for index, row in enumerate(rows):
            where = f"row {index} (line {index + 1})"
            cells = row.split(",")
            if index == 0 and row.lstrip()[:1] in ("{", "["):
                raise RequestError(400, "invalid_csv", "row 0 (line 1) looks like JSON; JSON bodies need Content-Type: application/json",
                                   index=0)
            if index == 0 and cells == list(self.fields):
                raise RequestError(400, "header_row", "row 0 (line 1) is a header; CSV bodies have no header row, "
                                   f"only values in the order {','.join(self.fields)}", index=0)
            if len(cells) != self.width:
                hint = "; send the model inputs only, no label column" if len(cells) == self.width + 1 else ""
                raise RequestError(400, "wrong_field_count",
                                   f"{where} has {len(cells)} values; expected {self.width} ({','.join(self.fields)}){hint}",
                                   index=index)
            numeric = [0.0] * len(numeric_index)
            for position, (field, cell) in enumerate(zip(self.fields, cells)):
                path = f"{where} column {position + 1} ({field})"
                if field in numeric_index:
                    numeric[numeric_index[field]] = self.rules.csv_number(cell, numeric_index[field], path, index)
                else:
                    category_columns[category_index[field]].append(self.rules.category(cell, field, path, index, from_text=True))
            numeric_rows.append(numeric)
        numeric_array = np.array(numeric_rows, dtype=np.float64).reshape(len(rows), len(numeric_index))
        return numeric_array, [np.array(c, dtype=np.intp) for c in category_columns]
