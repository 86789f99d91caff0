"""The rules every request format applies to one input value, and the precise error when one is broken.

Records, columnar JSON and CSV bodies differ only in how values are laid out;
what makes a value valid (a finite number within the model's accepted range,
``minimum``/``maximum`` in transform.json, or a known category) is decided here once, so the three
formats accept exactly the same values and word their errors alike. Each
format's fast path checks whole columns with numpy and falls back to these
per-value checks only to find and name the first bad value.
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np
import orjson

from .describe import NonFiniteNumber, json_type_name, short
from .errors import RequestError
from .transform import Transform

# A number in CSV text is written as in JSON (RFC 8259: 0.455, 15, 1e-3, -0.5; not .5, 5., +1,
# 01, nan, inf, 1_000 or with spaces), so that orjson can parse a whole column at once and the
# same text means the same number in every format. Characters outside this set never are one.
CSV_NUMBER_CHARACTERS = "0123456789.eE+-"
_STRIP_NUMBER_CHARACTERS = str.maketrans("", "", CSV_NUMBER_CHARACTERS)


def has_only_number_characters(text: str) -> bool:
    return not text.translate(_STRIP_NUMBER_CHARACTERS)


class FieldRules:
    """Bounds and category spellings of a :class:`Transform`'s input fields (both from the model artifact)."""

    def __init__(self, transform: Transform) -> None:
        self.transform = transform
        self.fields = transform.input_fields
        self.numeric_fields = transform.numeric_fields
        self.categorical_fields = transform.categorical_fields
        self.lower = transform.minimum
        self.upper = transform.maximum
        # (field, lower, upper) as Python floats: comparing a huge JSON integer (10**400)
        # with them is exact, never an OverflowError.
        self.numeric_checks = tuple(zip(self.numeric_fields, self.lower.tolist(), self.upper.tolist()))
        # Category lookup: exact value, plus its upper/lower-case spelling when
        # that is unambiguous (so "m" means "M"); surrounding spaces are not trimmed.
        self.category_lookup: dict[str, dict[str, int]] = {}
        for field in self.categorical_fields:
            columns = transform.category_columns[field]
            lookup = dict(columns)
            folded = [v.casefold() for v in columns]
            if len(set(folded)) == len(folded):
                for value, column in columns.items():
                    for variant in (value.lower(), value.upper()):
                        lookup.setdefault(variant, column)
            self.category_lookup[field] = lookup

    def in_bounds(self, numeric: np.ndarray) -> bool:
        """Whether every value of an (n, numeric fields) array is within bounds (False for NaN and infinities)."""
        return bool(((numeric >= self.lower) & (numeric <= self.upper)).all())

    # -- one value; ``where`` names it for the client, e.g. instances[3].length
    def json_number(self, value: Any, j: int, where: str, index: int) -> float:
        field, lo, hi = self.numeric_checks[j]
        if isinstance(value, NonFiniteNumber):
            raise RequestError(400, "non_finite", f"{where} is {value.token}; only finite numbers are allowed",
                               field=field, index=index)
        if type(value) not in (int, float):  # excludes booleans (type bool)
            hint = " (send the number without quotes)" if isinstance(value, str) else ""
            raise RequestError(400, "invalid_type", f"{where} must be a number, got {json_type_name(value)} {short(value)}{hint}",
                               field=field, index=index)
        if lo <= value <= hi:  # the common case; quoting the value for a message costs more than the check
            return float(value)
        return self._bounded(value, field, lo, hi, where, index, short(value))

    def csv_number(self, text: str, j: int, where: str, index: int) -> float:
        """One CSV cell: exactly the cells the CSV fast path parses (app/csv_rows.py), with bounds."""
        field, lo, hi = self.numeric_checks[j]
        if text == "":
            raise RequestError(400, "invalid_type", f"{where} is empty; it must be a number", field=field, index=index)
        if not has_only_number_characters(text):
            quoted = short(text)
            if text.strip().lower().lstrip("+-") in ("nan", "inf", "infinity"):
                raise RequestError(400, "non_finite", f"{where} is {quoted}; only finite numbers are allowed",
                                   field=field, index=index)
            raise RequestError(400, "invalid_type", f"{where} must be a number, got {quoted}", field=field, index=index)
        try:
            value = orjson.loads(text)
        except orjson.JSONDecodeError:
            try:
                too_large = math.isinf(float(text))
            except ValueError:
                too_large = False
            if too_large:  # digits only, so a number beyond a double's range (1e999), not a NaN/inf token
                raise RequestError(400, "out_of_range", f"{where} is {text[:40]}; it must be between {lo:g} and {hi:g}",
                                   field=field, index=index) from None
            raise RequestError(400, "invalid_type", f"{where} must be a number written as in JSON (e.g. 0.455, 1e-3), "
                               f"got {short(text)}", field=field, index=index) from None
        return self._bounded(value, field, lo, hi, where, index, text[:40])

    @staticmethod
    def _bounded(value: float, field: str, lo: float, hi: float, where: str, index: int, shown: str) -> float:
        if type(value) is float and not math.isfinite(value):
            # e.g. 1e999, which parses to inf
            raise RequestError(400, "non_finite", f"{where} is {shown}; only finite numbers are allowed",
                               field=field, index=index)
        if not lo <= value <= hi:
            raise RequestError(400, "out_of_range", f"{where} is {shown}; it must be between {lo:g} and {hi:g}",
                               field=field, index=index)
        return float(value)

    def category(self, value: Any, field: str, where: str, index: int, from_text: bool = False) -> int:
        if type(value) is not str:
            raise RequestError(400, "invalid_type", f"{where} must be a string, got {json_type_name(value)} {short(value)}",
                               field=field, index=index)
        column = self.category_lookup[field].get(value)
        if column is None:
            allowed = ", ".join(self.transform.categories[field])
            hint = " (send it unquoted)" if from_text and value[:1] == '"' else ""
            raise RequestError(400, "invalid_category", f"{where} is {short(value)}; it must be one of {allowed}{hint}",
                               field=field, index=index)
        return column
