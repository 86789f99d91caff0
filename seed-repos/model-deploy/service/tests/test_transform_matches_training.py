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
from conftest import SAMPLE_CSV
from http_events import columnar_body

INPUT_FIELDS = ["sex", "length", "diameter", "height", "whole_weight", "shucked_weight", "viscera_weight", "shell_weight"]


def _requests_from(records: list[dict]) -> dict:
    return {"instances": [{field: record[field] for field in INPUT_FIELDS} for record in records]}


def _serving_transform(model_dir: str):
    with open(os.path.join(model_dir, "transform.json")) as handle:
        return parse_transform(json.load(handle))


def test_serving_features_equal_training_features_on_every_sample_row(model_dir, sample_records):
    transform_doc = json.load(open(os.path.join(model_dir, "transform.json")))
    expected = train_local_model.training_features(sample_records, transform_doc)
    validator = InstanceValidator(_serving_transform(model_dir), max_records=len(sample_records))

    served = validator.features(_requests_from(sample_records))

    assert served.dtype == np.float32
    np.testing.assert_array_equal(served, expected)


def test_slow_validation_path_builds_the_same_features_as_the_fast_path(model_dir, sample_records):
    validator = InstanceValidator(_serving_transform(model_dir), max_records=len(sample_records))
    instances = validator.instances(_requests_from(sample_records))

    fast = validator.transform.apply(*validator._fast(instances))
    slow = validator.transform.apply(*validator._slow(instances))

    np.testing.assert_array_equal(fast, slow)


def test_one_record_requests_build_bit_identical_features_to_batches(model_dir, sample_records):
    validator = InstanceValidator(_serving_transform(model_dir), max_records=len(sample_records))
    batch = validator.features(_requests_from(sample_records))

    for i, record in enumerate(_requests_from(sample_records)["instances"]):
        assert validator._single(record) is not None, f"record {i} did not take the single-record path"
        alone = validator.features({"instances": [record]})
        assert alone.dtype == np.float32 and alone.shape == (1, batch.shape[1])
        # Compare bit patterns: equal floats could still differ in -0.0 vs 0.0.
        np.testing.assert_array_equal(alone.view(np.uint32), batch[i:i + 1].view(np.uint32))


def test_integer_values_give_the_same_features_alone_and_in_a_batch(model_dir):
    validator = InstanceValidator(_serving_transform(model_dir), max_records=2)
    record = {"sex": "m", "length": 1, "diameter": 0, "height": 0, "whole_weight": 2,
              "shucked_weight": 1, "viscera_weight": 0, "shell_weight": 1}

    alone = validator.features({"instances": [record]})
    batch = validator.features({"instances": [record, record]})

    np.testing.assert_array_equal(alone.view(np.uint32), batch[:1].view(np.uint32))


def test_reference_transform_agrees_with_training_features(model_dir, sample_records):
    transform_doc = json.load(open(os.path.join(model_dir, "transform.json")))
    rows = sample_records[:25]

    reference = _serving_transform(model_dir).apply_records(rows)

    np.testing.assert_array_equal(reference, train_local_model.training_features(rows, transform_doc))


def test_feature_columns_follow_feature_names_order_not_input_order(model_dir):
    transform_doc = json.load(open(os.path.join(model_dir, "transform.json")))
    transform = parse_transform(transform_doc)
    record = {"sex": "F", "length": 0.5, "diameter": 0.4, "height": 0.1, "whole_weight": 0.6,
              "shucked_weight": 0.25, "viscera_weight": 0.12, "shell_weight": 0.2}

    features = InstanceValidator(transform, 1).features({"instances": [record]})[0]

    names = transform_doc["feature_names"]
    assert features[names.index("sex_F")] == 1.0
    assert features[names.index("sex_I")] == 0.0 and features[names.index("sex_M")] == 0.0
    stats = transform_doc["numeric"]["height"]
    assert features[names.index("height")] == np.float32((0.1 - stats["mean"]) / stats["std"])


# --------------------------------------------------------------------------- columnar and CSV bodies

def _sample_csv_rows_without_label() -> list[str]:
    """The sample file's rows as a client would send them: the original cell text, label column removed."""
    with open(SAMPLE_CSV) as handle:
        header, *lines = handle.read().splitlines()
    names = header.split(",")
    keep = [names.index(field) for field in INPUT_FIELDS]
    return [",".join(line.split(",")[i] for i in keep) for line in lines]


def test_columnar_features_equal_training_features_on_every_sample_row_in_any_column_order(model_dir, sample_records):
    transform_doc = json.load(open(os.path.join(model_dir, "transform.json")))
    expected = train_local_model.training_features(sample_records, transform_doc)
    validator = ColumnarValidator(_serving_transform(model_dir), max_records=len(sample_records))

    for columns in (INPUT_FIELDS, list(reversed(INPUT_FIELDS))):
        served = validator.features(orjson.loads(orjson.dumps(columnar_body(sample_records, columns))))

        assert served.dtype == np.float32
        np.testing.assert_array_equal(served.view(np.uint32), expected.view(np.uint32))


def test_csv_features_equal_training_features_on_every_sample_row(model_dir, sample_records):
    transform_doc = json.load(open(os.path.join(model_dir, "transform.json")))
    expected = train_local_model.training_features(sample_records, transform_doc)
    validator = CsvValidator(_serving_transform(model_dir), max_records=len(sample_records))
    rows = _sample_csv_rows_without_label()

    for body in ("\n".join(rows), "\n".join(rows) + "\n", "\r\n".join(rows) + "\r\n"):
        served = validator.features(body)

        assert served.dtype == np.float32
        np.testing.assert_array_equal(served.view(np.uint32), expected.view(np.uint32))


def test_columnar_and_csv_slow_paths_build_the_same_features_as_their_fast_paths(model_dir, sample_records):
    transform = _serving_transform(model_dir)
    columnar = ColumnarValidator(transform, max_records=len(sample_records))
    doc = columnar_body(sample_records)
    layout = columnar._layout(tuple(doc["columns"]))
    csv = CsvValidator(transform, max_records=len(sample_records))
    rows = _sample_csv_rows_without_label()

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
    row = ["M", "0.455", text, "0.095", "0.514", "0.2245", "0.101", "0.15"]

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
    values = np.concatenate([rng.uniform(0, 3, 20_000), rng.uniform(0, 1e-3, 5_000), rng.integers(0, 3000, 5_000) / 1000])
    texts = [repr(float(v)) for v in values] + [f"{v:.17g}" for v in values[:10_000]] + [f"{v:.6e}" for v in values[:10_000]]
    validator = CsvValidator(_serving_transform(model_dir), max_records=len(texts))
    # whole_weight (bounds 0..7) holds every text; the other cells are fixed.
    body = "\n".join(f"M,0.455,0.365,0.095,{text},0.2245,0.101,0.15" for text in texts)

    parsed = validator._fast(body)

    assert parsed is not None
    whole_weight = list(validator.rules.numeric_fields).index("whole_weight")
    np.testing.assert_array_equal(parsed[0][:, whole_weight].view(np.uint64), np.array([float(t) for t in texts]).view(np.uint64))
