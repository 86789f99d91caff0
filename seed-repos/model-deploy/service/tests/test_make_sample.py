"""scripts/make_sample.py writes a reproducible, headed, stratified sample with the model's columns and rejects bad input clearly."""

from __future__ import annotations

import csv
import random
import tarfile

import pytest

import make_sample
import train_local_model
from model_under_test import CATEGORICAL_FIELDS, CATEGORIES, INPUT_FIELDS, MODEL_DIR, NUMERIC_FIELDS, TARGET, valid_records

COLUMNS = INPUT_FIELDS + [TARGET]
# Three strata of 60, 30 and 10 rows: by the first categorical field's first three categories (or one stratum).
STRATUM_FIELD = CATEGORICAL_FIELDS[0] if CATEGORICAL_FIELDS else None
STRATA = list(zip(CATEGORIES[STRATUM_FIELD][:3], (60, 30, 10))) if STRATUM_FIELD else [(None, 100)]


def _source_rows() -> list[list[str]]:
    rng = random.Random(0)
    records = valid_records(count=100, seed=1)
    rows, at = [], 0
    for category, count in STRATA:
        for record in records[at:at + count]:
            if category is not None:
                record[STRATUM_FIELD] = category
            for field in CATEGORICAL_FIELDS:
                if field != STRATUM_FIELD:
                    record[field] = CATEGORIES[field][0]
            rows.append([str(record[f]) for f in INPUT_FIELDS] + [str(rng.randint(1, 29))])
        at += count
    rng.shuffle(rows)
    return rows


@pytest.fixture
def source(tmp_path):
    """A small headerless file with the model's columns in order, label last (the UCI abalone.data layout)."""
    path = tmp_path / "source.data"
    path.write_text("".join(",".join(row) + "\n" for row in _source_rows()))
    return path


def _run(*args: str) -> int:
    return make_sample.main(list(args))


def test_sample_has_the_models_columns_requested_size_and_proportional_strata(source, tmp_path):
    out = tmp_path / "sample.csv"

    assert _run(str(source), "--model", MODEL_DIR, "--rows", "20", "--output", str(out)) == 0

    rows = list(csv.reader(out.open()))
    assert rows[0] == COLUMNS
    assert len(rows) == 21
    if STRATUM_FIELD is not None:
        position = COLUMNS.index(STRATUM_FIELD)
        counts = {category: sum(r[position] == category for r in rows[1:]) for category, _ in STRATA}
        assert counts == dict(zip([c for c, _ in STRATA], (12, 6, 2)))


def test_the_columns_can_come_from_a_registered_model_tar_gz_and_a_headed_source_in_another_order(tmp_path):
    archive = tmp_path / "model.tar.gz"
    with tarfile.open(archive, "w:gz") as tar:
        tar.add(f"{MODEL_DIR}/transform.json", arcname="./transform.json")
    shuffled = list(reversed(COLUMNS)) + ["unused"]
    headed = tmp_path / "headed.csv"
    rows = [dict(zip(COLUMNS, row)) for row in _source_rows()]
    headed.write_text(",".join(shuffled) + "\n" + "".join(",".join(r.get(c, "x") for c in shuffled) + "\n" for r in rows))
    out_headed, out_plain = tmp_path / "from-headed.csv", tmp_path / "from-plain.csv"
    plain = tmp_path / "plain.data"
    plain.write_text("".join(",".join(r[c] for c in COLUMNS) + "\n" for r in rows))

    assert _run(str(headed), "--model", str(archive), "--rows", "20", "--output", str(out_headed)) == 0
    assert _run(str(plain), "--model", str(archive), "--rows", "20", "--output", str(out_plain)) == 0

    assert out_headed.read_text() == out_plain.read_text()


def test_the_sample_trains_a_model_with_the_same_input_contract(source, tmp_path):
    out = tmp_path / "sample.csv"
    _run(str(source), "--model", MODEL_DIR, "--rows", "50", "--output", str(out))

    transform = train_local_model.train_model_dir(str(out), str(tmp_path / "model"), rounds=2, target=TARGET)

    assert transform["input_fields"] == INPUT_FIELDS
    assert set(transform["categorical"]) == set(CATEGORICAL_FIELDS)


def test_same_seed_gives_the_same_file(source, tmp_path):
    first, second = tmp_path / "a.csv", tmp_path / "b.csv"

    _run(str(source), "--model", MODEL_DIR, "--rows", "20", "--output", str(first))
    _run(str(source), "--model", MODEL_DIR, "--rows", "20", "--output", str(second))

    assert first.read_text() == second.read_text()


@pytest.mark.parametrize("args, message", [
    (["--rows", "0"], "--rows must be at least 1"),
    (["--rows", "101"], "more than the 100 rows"),
    (["--rows", "ten"], "invalid int value"),
    (["--output", "/nonexistent-dir/sample.csv"], "does not exist"),
    (["--model", "/nonexistent-model"], "neither a model directory nor a model.tar.gz"),
])
def test_bad_arguments_exit_with_a_message(source, tmp_path, capsys, args, message):
    with pytest.raises(SystemExit) as exit_info:
        _run(str(source), "--model", MODEL_DIR, *args)

    assert exit_info.value.code == 2
    assert message in capsys.readouterr().err


def test_a_model_folder_without_transform_json_says_where_one_comes_from(source, tmp_path, capsys):
    with pytest.raises(SystemExit):
        _run(str(source), "--model", str(tmp_path))

    assert "has no transform.json" in capsys.readouterr().err


def test_missing_source_exits_with_a_message(tmp_path, capsys):
    with pytest.raises(SystemExit):
        _run(str(tmp_path / "absent.data"), "--model", MODEL_DIR)

    assert "is not a file" in capsys.readouterr().err


def test_rows_that_do_not_fit_the_model_are_rejected_with_their_line_number(tmp_path, capsys):
    good = _source_rows()[0]
    text_for_a_number = list(good)
    text_for_a_number[INPUT_FIELDS.index(NUMERIC_FIELDS[0])] = "abc"
    for name, bad_row in [("short", good[:-2] + good[-1:]), ("text_for_a_number", text_for_a_number)]:
        bad = tmp_path / f"{name}.data"
        bad.write_text(",".join(good) + "\n" + ",".join(bad_row) + "\n")

        with pytest.raises(SystemExit):
            _run(str(bad), "--model", MODEL_DIR)

        assert f"{name}.data:2" in capsys.readouterr().err


def test_committed_sample_has_a_header_with_the_label_and_500_rows():
    with open(make_sample.DEFAULT_OUTPUT) as handle:
        rows = list(csv.reader(handle))

    assert train_local_model.DEFAULT_TARGET in rows[0]
    assert len(rows) == 501


def test_the_source_file_must_be_named_since_the_repo_does_not_ship_it(capsys):
    with pytest.raises(SystemExit) as exit_info:
        _run("--rows", "20")
    assert exit_info.value.code == 2
    assert "source" in capsys.readouterr().err
