"""Many parsed JSON values to one float64 array in one C loop, or None when any of them is not a JSON number.

The records and columnar formats hold 7,000 numbers per 1,000-row request as
Python objects. A type check plus ``np.fromiter`` costs about 40 ns a value;
``struct.pack`` with one ``d`` per value costs about 6 ns, and converts each
value with ``PyFloat_AsDouble``, the conversion ``float()`` applies to an int
or a float (so the doubles are the ones the per-value path and training get).
It refuses strings, null, arrays and objects ("required argument is not a
float": https://docs.python.org/3/library/struct.html#format-characters), and
an integer beyond a double's range. It accepts booleans (bool is an int) as
0.0 and 1.0, so only the values equal to 0 or 1 have their type looked at.
"""

from __future__ import annotations

import struct

import numpy as np


def number_array(values: list) -> np.ndarray | None:
    """``values`` as a read-only float64 array if every one is an int or a float (not a bool), else None."""
    try:
        packed = struct.pack(f"{len(values)}d", *values)
    except (struct.error, OverflowError):
        return None
    numbers = np.frombuffer(packed, dtype=np.float64)
    for i in np.flatnonzero((numbers == 0.0) | (numbers == 1.0)).tolist():
        if type(values[i]) is bool:
            return None
    return numbers


def column_indices(columns: list) -> np.ndarray:
    """Output columns (ints >= 0) as an index array: one byte each when all are below 256 (the usual one-hot
    layout), copied by ``bytes()`` in C, about a tenth of ``np.array`` on a list of ints; intp otherwise."""
    try:
        return np.frombuffer(bytes(columns), dtype=np.uint8)
    except ValueError:  # a column beyond 255
        return np.array(columns, dtype=np.intp)
