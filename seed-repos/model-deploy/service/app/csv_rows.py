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
import orjson

from .errors import RequestError
from .fields import CSV_NUMBER_CHARACTERS, FieldRules
from .numbers import number_array
from .transform import Transform


_CODE_BYTES = 8
_CODE_DTYPE = np.dtype("<u8")  # little-endian, as _code reads the bytes
_COMMA, _NEWLINE, _SPACE = ord(","), ord("\n"), ord(" ")
_NUMBER_TEXT = (CSV_NUMBER_CHARACTERS + ", ").encode("ascii")  # what the numbers' text may hold once categories are blanked


def _code(value: str) -> int:
    """An ASCII text of up to 8 bytes as the little-endian integer its bytes, zero-padded, spell."""
    return int.from_bytes(value.encode("ascii").ljust(_CODE_BYTES, b"\0"), "little")


def _without_final_line_end(text: str) -> str:
    if "\r" in text:
        text = text.replace("\r\n", "\n")
    return text[:-1] if text.endswith("\n") else text


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
        # Per category column: the ASCII spellings of up to 8 bytes as sorted little-endian codes, with their
        # lengths and output columns (a longer or non-ASCII spelling is still accepted, by the precise path).
        self._category_codes = []
        for position, _field, lookup in self._category_positions:
            spellings = sorted((_code(value), len(value), column) for value, column in lookup.items()
                               if value.isascii() and len(value) <= _CODE_BYTES)
            self._category_codes.append((position, np.array([c for c, _l, _k in spellings], dtype=_CODE_DTYPE),
                                         np.array([ln for _c, ln, _k in spellings], dtype=np.intp),
                                         np.array([k for _c, _l, k in spellings], dtype=np.intp)))

    def features(self, text: str) -> np.ndarray:
        text = _without_final_line_end(text)
        parsed = self._fast(text)
        if parsed is None:
            parsed = self._slow(self._rows(text))
        return self.transform.apply(*parsed)

    def _rows(self, text: str) -> list[str]:
        rows = text.split("\n")
        if len(rows) > self.max_records:
            raise RequestError(400, "too_many_records",
                               f"the body has {len(rows)} rows; the limit is {self.max_records} per request")
        if "" in rows:
            index = rows.index("")
            raise RequestError(400, "blank_row", f"row {index} (line {index + 1}) is blank; send one record per line, no blank lines",
                               index=index)
        return rows

    # -- fast path: the whole text as one byte array; None whenever anything is unusual
    def _fast(self, text: str) -> tuple[np.ndarray, list[np.ndarray]] | None:
        """Cells are found with vectorised byte comparisons, categories matched as 8-byte codes, and every
        number parsed by one orjson call on the text with the category cells blanked out (JSON allows the
        spaces), so no Python object is made per cell. Accepts exactly what :meth:`_slow` accepts."""
        width = self.width
        if not text.isascii():
            return None
        body = np.frombuffer(bytearray(text.encode("ascii") + b"\n"), dtype=np.uint8)
        line_ends = body == _NEWLINE
        n = int(np.count_nonzero(line_ends))
        if n > self.max_records:
            return None
        ends = np.flatnonzero(line_ends | (body == _COMMA))
        # n rows of width cells each, and every width-th delimiter a line end: then all others are commas.
        if ends.size != n * width or not (body[ends[width - 1::width]] == _NEWLINE).all():
            return None  # some row has too few or too many cells, or a blank row
        starts = np.empty_like(ends)
        starts[0] = 0
        starts[1:] = ends[:-1] + 1
        starts, ends = starts.reshape(n, width), ends.reshape(n, width)

        cells = []  # (start, length, longest, same length in every row) per category column
        category_columns = []
        for position, codes, lengths, columns in self._category_codes:
            start, length = starts[:, position], ends[:, position] - starts[:, position]
            longest = int(length.max())
            if codes.size == 0 or longest > _CODE_BYTES:
                return None
            uniform = longest == int(length.min())
            code = np.zeros(n, dtype=_CODE_DTYPE)
            for k in range(longest):  # the cell's bytes, little-endian, zero beyond its end
                byte = body[start + k].astype(_CODE_DTYPE)
                code |= (byte if uniform else np.where(length > k, byte, 0)) << (8 * k)
            at = np.minimum(np.searchsorted(codes, code), codes.size - 1)
            if not ((codes[at] == code) & (lengths[at] == length)).all():
                return None  # an unknown category: the precise path names it
            category_columns.append(columns[at])
            cells.append((start, length, longest, uniform))
        if not self._numeric_count:
            return np.empty((n, 0), dtype=np.float64), category_columns

        body[ends[:, -1]] = _COMMA  # rows become one comma-separated list
        blanked = 0
        for start, length, longest, uniform in cells:
            for k in range(longest + 1):  # the cell and the delimiter after it
                body[start + k if uniform else (start + k)[length >= k]] = _SPACE
            blanked += int(length.sum()) + n
        numbers = body.tobytes()
        if numbers.translate(None, _NUMBER_TEXT) or np.count_nonzero(body == _SPACE) != blanked:
            return None  # a character no JSON number has, or a space inside a numeric cell
        numbers = numbers.rstrip(b" ")  # ends with the separator after the last number
        try:
            values = orjson.loads(b"[" + numbers[:-1] + b"]")
        except orjson.JSONDecodeError:  # e.g. an empty cell, ".5", "01", "1e999"
            return None
        if len(values) != n * self._numeric_count:
            return None
        numeric = number_array(values)
        if numeric is None:
            return None
        numeric = numeric.reshape(n, self._numeric_count)
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
