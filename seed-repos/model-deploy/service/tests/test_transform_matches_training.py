"""The serving-time transform (app/transform.py, read from transform.json) must
produce exactly the features the model was trained on (scripts/train_local_model.py),
whichever request format (records, columnar JSON, CSV) carries the rows."""

from __future__ import annotations

import json
import os

import numpy as np
import orjson
import pytest

import train_local_model
from app.columnar import ColumnarValidator
from app.csv_rows import CsvValidator
from app.errors import RequestError
from app.transform import parse_transform
from app.validation import InstanceValidator
from http_events import columnar_body, csv_row
from model_under_test import BOUNDS, CATEGORICAL_FIELDS, CATEGORIES, INPUT_FIELDS, NUMERIC_FIELDS, VALID_RECORD


def _requests_from(records: list[dict]) -> dict:
    return {"instances": [{field: record[field] for field in INPUT_FIELDS} for record in records]}


def _serving_transform(model_dir: str):
    with open(os.path.join(model_dir, "transform.json")) as handle:
        return parse_transform(json.load(handle))


def test_serving_features_equal_training_features_on_every_sample_row(model_dir, model_records):
    transform_doc = json.load(open(os.path.join(model_dir, "transform.json")))
    expected = train_local_model.training_features(model_records, transform_doc)
    validator = InstanceValidator(_serving_transform(model_dir), max_records=len(model_records))

    served = validator.features(_requests_from(model_records))

    assert served.dtype == np.float32
    np.testing.assert_array_equal(served, expected)


def test_slow_validation_path_builds_the_same_features_as_the_fast_path(model_dir, model_records):
    validator = InstanceValidator(_serving_transform(model_dir), max_records=len(model_records))
    instances = validator.instances(_requests_from(model_records))

    fast = validator.transform.apply(*validator._fast(instances))
    slow = validator.transform.apply(*validator._slow(instances))

    np.testing.assert_array_equal(fast, slow)


def test_one_record_requests_build_bit_identical_features_to_batches(model_dir, model_records):
    validator = InstanceValidator(_serving_transform(model_dir), max_records=len(model_records))
    batch = validator.features(_requests_from(model_records))

    for i, record in enumerate(_requests_from(model_records)["instances"]):
        assert validator._single(record) is not None, f"record {i} did not take the single-record path"
        alone = validator.features({"instances": [record]})
        assert alone.dtype == np.float32 and alone.shape == (1, batch.shape[1])
        # Compare bit patterns: equal floats could still differ in -0.0 vs 0.0.
        np.testing.assert_array_equal(alone.view(np.uint32), batch[i:i + 1].view(np.uint32))


def test_integer_values_give_the_same_features_alone_and_in_a_batch(model_dir):
    validator = InstanceValidator(_serving_transform(model_dir), max_records=2)
    integers = {f: int(np.ceil(BOUNDS[f][0])) for f in NUMERIC_FIELDS if np.ceil(BOUNDS[f][0]) <= BOUNDS[f][1]}
    assert integers, "no numeric field of the model admits a whole number"
    record = dict(VALID_RECORD, **integers)

    alone = validator.features({"instances": [record]})
    batch = validator.features({"instances": [record, record]})

    np.testing.assert_array_equal(alone.view(np.uint32), batch[:1].view(np.uint32))


def test_reference_transform_agrees_with_training_features(model_dir, model_records):
    transform_doc = json.load(open(os.path.join(model_dir, "transform.json")))
    rows = model_records[:25]

    reference = _serving_transform(model_dir).apply_records(rows)

    np.testing.assert_array_equal(reference, train_local_model.training_features(rows, transform_doc))


def test_feature_columns_follow_feature_names_order_not_input_order(model_dir):
    transform_doc = json.load(open(os.path.join(model_dir, "transform.json")))
    transform = parse_transform(transform_doc)
    record = dict(VALID_RECORD)

    features = InstanceValidator(transform, 1).features({"instances": [record]})[0]

    names = transform_doc["feature_names"]
    for field in CATEGORICAL_FIELDS:
        for category in CATEGORIES[field]:
            assert features[names.index(f"{field}_{category}")] == (1.0 if category == record[field] else 0.0)
    for field in NUMERIC_FIELDS:
        stats = transform_doc["numeric"][field]
        assert features[names.index(field)] == np.float32((record[field] - stats["mean"]) / stats["std"])


# --------------------------------------------------------------------------- columnar and CSV bodies

def _csv_rows(records: list[dict]) -> list[str]:
    """The records as a client would send them in CSV: input order, numbers as Python writes them."""
    return [csv_row(record) for record in records]


def test_columnar_features_equal_training_features_on_every_sample_row_in_any_column_order(model_dir, model_records):
    transform_doc = json.load(open(os.path.join(model_dir, "transform.json")))
    expected = train_local_model.training_features(model_records, transform_doc)
    validator = ColumnarValidator(_serving_transform(model_dir), max_records=len(model_records))

    for columns in (INPUT_FIELDS, list(reversed(INPUT_FIELDS))):
        served = validator.features(orjson.loads(orjson.dumps(columnar_body(model_records, columns))))

        assert served.dtype == np.float32
        np.testing.assert_array_equal(served.view(np.uint32), expected.view(np.uint32))


def test_csv_features_equal_training_features_on_every_sample_row(model_dir, model_records):
    transform_doc = json.load(open(os.path.join(model_dir, "transform.json")))
    expected = train_local_model.training_features(model_records, transform_doc)
    validator = CsvValidator(_serving_transform(model_dir), max_records=len(model_records))
    rows = _csv_rows(model_records)

    for body in ("\n".join(rows), "\n".join(rows) + "\n", "\r\n".join(rows) + "\r\n"):
        served = validator.features(body)

        assert served.dtype == np.float32
        np.testing.assert_array_equal(served.view(np.uint32), expected.view(np.uint32))


def test_columnar_and_csv_slow_paths_build_the_same_features_as_their_fast_paths(model_dir, model_records):
    transform = _serving_transform(model_dir)
    columnar = ColumnarValidator(transform, max_records=len(model_records))
    doc = columnar_body(model_records)
    layout = columnar._layout(tuple(doc["columns"]))
    csv = CsvValidator(transform, max_records=len(model_records))
    rows = _csv_rows(model_records)

    for fast, slow in ((columnar._fast(doc["data"], len(INPUT_FIELDS), *layout), columnar._slow(doc["data"], tuple(doc["columns"]))),
                       (csv._fast("\n".join(rows)), csv._slow(rows))):
        assert fast is not None
        np.testing.assert_array_equal(transform.apply(*fast).view(np.uint32), transform.apply(*slow).view(np.uint32))


# Number texts near the edges of what the CSV fast path's character check and float() let through.
CSV_NUMBER_TEXTS = ["0.5", ".5", "5.", "+0.5", "-0", "0e0", "5e-1", "5E-1", "50e-2", "05", "0.50", "1E+0", "-0.0", "1e", "e1", ".", "+", "-", "--1", "+-1",
                    "1e+", "1.2.3", "1e1e1", "0x1", "0_5", " 0.5", "0.5 ", "nan", "inf", "1e999", "", "0.5\r", "١", "0.5\t"]


@pytest.mark.parametrize("text", CSV_NUMBER_TEXTS)
def test_csv_fast_path_accepts_a_number_text_exactly_when_the_precise_path_does(model_dir, text):
    validator = CsvValidator(_serving_transform(model_dir), max_records=1)
    row = csv_row(VALID_RECORD).split(",")
    row[INPUT_FIELDS.index(NUMERIC_FIELDS[0])] = text

    fast = validator._fast(",".join(row))
    try:
        slow = validator._slow([",".join(row)])
    except RequestError as exc:
        assert fast is None, f"{text!r}: the fast path accepted what the precise path rejects ({exc.message})"
    else:
        assert fast is not None, f"{text!r}: the precise path accepts it, the fast path does not"
        np.testing.assert_array_equal(fast[0], slow[0])


def test_a_csv_number_is_the_double_pythons_float_reads_from_the_same_text(model_dir):
    # The CSV fast path parses every number with one orjson call; the training side parses with float(). Shortest
    # reprs, 17-digit forms and exponents of random doubles in and around the fields' ranges must agree bit for bit.
    rng = np.random.default_rng(20261201)
    # The numeric field with the widest accepted range holds every text; the other cells are a valid record's.
    field = max(NUMERIC_FIELDS, key=lambda f: BOUNDS[f][1] - BOUNDS[f][0])
    lo, hi = BOUNDS[field]
    values = np.concatenate([rng.uniform(lo, hi, 20_000), rng.uniform(lo, lo + (hi - lo) * 1e-3, 5_000),
                             lo + rng.integers(0, 3000, 5_000) / 3000 * (hi - lo)])
    values = values[(values >= lo) & (values <= hi)]
    texts = [repr(float(v)) for v in values] + [f"{v:.17g}" for v in values[:10_000]] + [f"{v:.6e}" for v in values[:10_000]]
    texts = [t for t in texts if lo <= float(t) <= hi]  # a rounded text may leave the range at its edges
    validator = CsvValidator(_serving_transform(model_dir), max_records=len(texts))
    cells = csv_row(VALID_RECORD).split(",")
    position = INPUT_FIELDS.index(field)
    body = "\n".join(",".join(cells[:position] + [text] + cells[position + 1:]) for text in texts)

    parsed = validator._fast(body)

    assert parsed is not None
    column = list(validator.rules.numeric_fields).index(field)
    np.testing.assert_array_equal(parsed[0][:, column].view(np.uint64), np.array([float(t) for t in texts]).view(np.uint64))
