"""Each format's fast path (whole columns at C speed) must accept exactly the bodies its precise
per-value path accepts, and build bit-identical features; whatever it declines, the precise path
answers with the 400 that names the row and the field.

Seeded value-level mutations (the structure stays intact, so the fast paths are reached): booleans,
0 and 1 next to True and False, integers, -0.0, huge integers, strings, nulls, arrays, category
spellings, in random positions, rows and column orders.
"""

from __future__ import annotations

import random
import struct

import numpy as np
import pytest

from app.columnar import ColumnarValidator
from app.csv_rows import CsvValidator, _without_final_line_end
from app.errors import RequestError
from app.numbers import number_array
from app.transform import Transform
from app.validation import InstanceValidator
from http_events import csv_row
from model_under_test import CATEGORICAL_FIELDS, CATEGORIES, INPUT_FIELDS, VALID_RECORD

SEED = 20261202
CASES = 1500
JSON_VALUES = [True, False, 0, 1, 0.0, 1.0, -0.0, 2, 7, 10 ** 30, 10 ** 400, 1e308, 5e-324, None, "0.5", "", [], {}, [0.5],
               "M", "m", "F", "i", "x", " M", 0.5, 1.999, 2.0, 2.0000001]
CSV_CELLS = ["0", "1", "0.0", "-0", "-0.0", "1e0", "2", "7", "01", ".5", "5.", "+1", "1e999", "9" * 30, "nan", "inf", "",
             " 0.5", "0.5 ", "0.5\r", "\t", "M", "m", "F", "i", "x", "MM", "M ", "Infant", "\x00", "M\x00", "true", "null",
             '"M"', "0.5", "1.999", "2.0", "2.0000001", "é"]


@pytest.fixture(scope="module")
def transform(loaded_model) -> Transform:
    return loaded_model.transform


def _same_features(transform: Transform, fast, slow) -> None:
    assert fast is not None, "the precise path accepts it, the fast path does not"
    np.testing.assert_array_equal(transform.apply(*fast).view(np.uint32), transform.apply(*slow).view(np.uint32))


def _agree(transform: Transform, fast, run_slow) -> str:
    try:
        slow = run_slow()
    except RequestError as exc:
        assert fast is None, f"the fast path accepted what the precise path rejects ({exc.message})"
        return "rejected"
    _same_features(transform, fast, slow)
    return "accepted"


def _mutated_records(rng: random.Random) -> list[dict]:
    records = [dict(VALID_RECORD) for _ in range(rng.randint(2, 6))]
    for _ in range(rng.randint(0, 3)):
        records[rng.randrange(len(records))][rng.choice(INPUT_FIELDS)] = rng.choice(JSON_VALUES)
    return records


def test_records_fast_path_accepts_exactly_what_the_precise_path_accepts(transform):
    validator = InstanceValidator(transform, max_records=10)
    rng = random.Random(SEED)
    outcomes = {"accepted": 0, "rejected": 0}
    for _ in range(CASES):
        instances = _mutated_records(rng)
        outcomes[_agree(transform, validator._fast(instances), lambda: validator._slow(instances))] += 1
    assert min(outcomes.values()) > CASES // 10, outcomes


def test_one_record_path_accepts_exactly_what_the_precise_path_accepts(transform):
    validator = InstanceValidator(transform, max_records=1)
    rng = random.Random(f"{SEED}-one")
    for _ in range(CASES):
        record = _mutated_records(rng)[0]
        row = validator._single(record)
        try:
            slow = validator._slow([record])
        except RequestError as exc:
            assert row is None, f"{record}: the one-record path accepted what the precise path rejects ({exc.message})"
            continue
        assert row is not None, f"{record}: the precise path accepts it, the one-record path does not"
        np.testing.assert_array_equal(validator.features({"instances": [record]}).view(np.uint32),
                                      transform.apply(*slow).view(np.uint32))


def test_columnar_fast_path_accepts_exactly_what_the_precise_path_accepts_in_any_column_order(transform):
    validator = ColumnarValidator(transform, max_records=10)
    rng = random.Random(f"{SEED}-columnar")
    outcomes = {"accepted": 0, "rejected": 0}
    for _ in range(CASES):
        columns = rng.sample(INPUT_FIELDS, len(INPUT_FIELDS))
        data = [[record[c] for c in columns] for record in _mutated_records(rng)]
        layout = validator._layout(tuple(columns))
        fast = validator._fast(data, len(columns), *layout)
        outcomes[_agree(transform, fast, lambda: validator._slow(data, tuple(columns)))] += 1
    assert min(outcomes.values()) > CASES // 10, outcomes


def _mutated_csv(rng: random.Random) -> str:
    rows = [[str(VALID_RECORD[f]) for f in INPUT_FIELDS] for _ in range(rng.randint(1, 6))]
    for _ in range(rng.randint(0, 3)):
        rows[rng.randrange(len(rows))][rng.randrange(len(INPUT_FIELDS))] = rng.choice(CSV_CELLS)
    if rng.random() < 0.1:  # a row with a cell too few or too many
        row = rows[rng.randrange(len(rows))]
        row.pop() if rng.random() < 0.5 else row.append("0.5")
    end = rng.choice(["\n", "\r\n"])
    return end.join(",".join(row) for row in rows) + rng.choice(["", end, end + end])


def test_csv_fast_path_accepts_exactly_what_the_precise_path_accepts(transform):
    validator = CsvValidator(transform, max_records=10)
    rng = random.Random(f"{SEED}-csv")
    outcomes = {"accepted": 0, "rejected": 0}
    for _ in range(CASES):
        text = _without_final_line_end(_mutated_csv(rng))
        outcomes[_agree(transform, validator._fast(text), lambda: validator._slow(validator._rows(text)))] += 1
    assert min(outcomes.values()) > CASES // 10, outcomes


@pytest.mark.parametrize("field", CATEGORICAL_FIELDS)
def test_csv_category_cells_of_any_length_are_matched_by_their_whole_text(loaded_model, field):
    # Spellings as 8-byte codes: a category must not match itself plus a NUL, doubled, repeated past 8 bytes,
    # padded with spaces, or an empty cell.
    validator = CsvValidator(loaded_model.transform, max_records=len(CATEGORIES[field]))
    position = INPUT_FIELDS.index(field)

    def row(cell: str) -> str:
        cells = csv_row(VALID_RECORD).split(",")
        cells[position] = cell
        return ",".join(cells)

    category = CATEGORIES[field][0]
    assert validator._fast("\n".join(row(c) for c in CATEGORIES[field])) is not None
    for cell in (category + "\x00", category * 2, category * 9, category + " " * 8, ""):
        assert validator._fast(row(cell)) is None, repr(cell)


def test_number_array_takes_ints_and_floats_as_float_does_and_refuses_everything_else():
    values = [0, 1, -0.0, 2 ** 53 + 1, 10 ** 300, 0.1, 5e-324]

    array = number_array(values)

    np.testing.assert_array_equal(array.view(np.uint64), np.array([float(v) for v in values]).view(np.uint64))
    for bad in (True, False, None, "0.5", [0.5], {}, 10 ** 400):
        assert number_array([0.5, bad, 0.25]) is None, repr(bad)
    assert number_array([]).shape == (0,)


def test_number_array_relies_on_struct_refusing_what_is_not_a_number():
    # The premise of app/numbers.py: if struct ever accepted a string, the fast paths would need a type check again.
    for bad in ("1", None, [1], {}, 10 ** 400):
        with pytest.raises(struct.error):
            struct.pack("d", bad)
