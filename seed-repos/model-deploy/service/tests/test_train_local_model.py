"""scripts/train_local_model.py writes ModelBuild's artifact contract (transform.json v2) for whatever columns its CSV has.

These tests train their own models, whatever MODEL_ARTIFACT says: they test the script, not the model under test.
"""

from __future__ import annotations

import csv
import json
import os

import numpy as np
import pytest

import train_local_model
from app.model import load_model
from app.validation import InstanceValidator
from model_under_test import SAMPLE_CSV, SERVICE_DIR


def _write_csv(path, header: list[str], rows: list[list]) -> str:
    with open(path, "w", newline="") as handle:
        writer = csv.writer(handle, lineterminator="\n")
        writer.writerow(header)
        writer.writerows(rows)
    return str(path)


def _sample_with(tmp_path, drop: str | None = None, add: str | None = None) -> str:
    """The committed sample with one column dropped, or one derived numeric column added."""
    with open(SAMPLE_CSV, newline="") as handle:
        header, *rows = list(csv.reader(handle))
    if drop is not None:
        keep = [i for i, name in enumerate(header) if name != drop]
        header, rows = [header[i] for i in keep], [[row[i] for i in keep] for row in rows]
    if add is not None:
        numeric = [header.index(f) for f in train_local_model.read_table(str(SAMPLE_CSV)).numeric_fields if f in header]
        header = header[:-1] + [add] + header[-1:]
        rows = [row[:-1] + [f"{float(row[numeric[0]]) * float(row[numeric[1]]):.6g}"] + row[-1:] for row in rows]
    return _write_csv(tmp_path / "variant.csv", header, rows)


def test_the_accepted_range_adds_twice_the_observed_span_on_each_side_never_below_zero_for_non_negative_data(tmp_path):
    # kind: categories; size: 1..4 (span 3, all >= 0); offset: -1..2 (span 3, has negatives); constant: 5 (span 0, so 5 stands in).
    data = _write_csv(tmp_path / "t.csv", ["kind", "size", "offset", "constant", "y"],
                      [["a", 1, -1, 5, 1], ["b", 4, 2, 5, 2], ["a", 2, 0, 5, 3]])

    doc = json.loads(json.dumps(train_local_model.fit_transform(train_local_model.read_table(data, "y"))))

    ranges = {f: (s["observed_minimum"], s["observed_maximum"], s["minimum"], s["maximum"]) for f, s in doc["numeric"].items()}
    assert ranges == {"size": (1, 4, 0, 10), "offset": (-1, 2, -7, 8), "constant": (5, 5, 0, 15)}
    assert doc["schema_version"] == 2 and doc["target"] == "y"
    assert doc["input_fields"] == ["kind", "size", "offset", "constant"]
    assert doc["categorical"] == {"kind": ["a", "b"]}
    assert doc["feature_names"] == ["size", "offset", "constant", "kind_a", "kind_b"]


def test_examples_are_synthesised_valid_requests_covering_every_category_not_training_rows(tmp_path):
    table = train_local_model.read_table(SAMPLE_CSV)
    doc = train_local_model.fit_transform(table)
    training_rows = [{f: r[f] for f in table.input_fields} for r in table.records]

    examples = doc["examples"]

    assert train_local_model.MIN_EXAMPLES <= len(examples) <= train_local_model.MAX_EXAMPLES
    for field, categories in doc["categorical"].items():
        assert {e[field] for e in examples} == set(categories)
    for example in examples:
        assert list(example) == doc["input_fields"]
        assert example not in training_rows
        for field, stats in doc["numeric"].items():
            assert stats["minimum"] <= example[field] <= stats["maximum"]


def test_the_local_model_tracks_the_labels_of_its_training_rows(tmp_path):
    transform = train_local_model.train_model_dir(SAMPLE_CSV, str(tmp_path / "model"))
    records = train_local_model.read_records(SAMPLE_CSV)
    labels = np.array([r[transform["target"]] for r in records])
    model = load_model(str(tmp_path / "model"))
    instances = [{f: r[f] for f in transform["input_fields"]} for r in records]

    predictions = model.predict(InstanceValidator(model.transform, max_records=len(records)).features({"instances": instances}))

    # A real model, not a constant: far better than predicting the mean.
    assert np.sqrt(np.mean((predictions - labels) ** 2)) < 0.75 * labels.std()


def _last_input_column() -> str:
    with open(SAMPLE_CSV) as handle:
        return next(csv.reader(handle))[-2]  # the label is last


@pytest.mark.parametrize("variant", [{"drop": _last_input_column()}, {"add": "product_of_two_columns"}], ids=["one_fewer", "one_more"])
def test_a_csv_with_a_numeric_column_fewer_or_more_gives_a_model_the_service_serves(tmp_path, variant):
    data = _sample_with(tmp_path, **variant)
    transform = train_local_model.train_model_dir(data, str(tmp_path / "model"), rounds=5)

    model = load_model(str(tmp_path / "model"))

    with open(SAMPLE_CSV) as handle:
        sample_fields = next(csv.reader(handle))[:-1]
    expected = [f for f in sample_fields if f != variant.get("drop")] + ([variant["add"]] if "add" in variant else [])
    assert list(model.transform.input_fields) == transform["input_fields"] == expected
    features = InstanceValidator(model.transform, max_records=10).features({"instances": transform["examples"]})
    assert np.isfinite(model.predict(features)).all()


@pytest.mark.parametrize("header, rows, message", [
    (["a", "b"], [[1, 2], [3, 4]], "no target column 'rings'"),
    (["a", "a", "rings"], [[1, 2, 3], [4, 5, 6]], "repeated column names"),
    (["rings"], [[1], [2]], "no input columns"),
    (["a", "rings"], [[1, 2]], "at least 2 data rows"),
    (["a", "rings"], [[1, 2], [3]], "a row has 1 values"),
    (["a", "rings"], [[1, 2], ["", 3]], "empty cell"),
    (["a", "rings"], [[1, "x"], [2, 3]], "target column 'rings' must hold only finite numbers"),
])
def test_a_csv_the_script_cannot_train_on_exits_with_a_message(tmp_path, capsys, header, rows, message):
    data = _write_csv(tmp_path / "bad.csv", header, rows)

    with pytest.raises(SystemExit) as exit_info:
        train_local_model.main(["--data", data, "--out", str(tmp_path / "model")])

    assert exit_info.value.code == 2
    assert message in capsys.readouterr().err


def test_the_smoke_tests_transform_fixture_is_what_the_script_writes_for_the_committed_sample(tmp_path):
    # test/fixtures/transform.json feeds the smoke test's jest tests; regenerate it with
    #   python service/scripts/train_local_model.py --out /tmp/model && cp /tmp/model/transform.json test/fixtures/
    fixture = os.path.join(os.path.dirname(SERVICE_DIR), "test", "fixtures", "transform.json")
    written = train_local_model.fit_transform(train_local_model.read_table(SAMPLE_CSV))

    with open(fixture) as handle:
        assert json.load(handle) == json.loads(json.dumps(written))
