"""preprocess.py: validation, the split, and transform.json (the contract with serving)."""

from __future__ import annotations

import json

import numpy as np
import pytest

from conftest import DATA_CSV, run_script
from pipelines.abalone import preprocess

SHARED_ROWS = 4177
CONTRACT_INPUT_FIELDS = [
    "sex", "length", "diameter", "height", "whole_weight", "shucked_weight", "viscera_weight", "shell_weight",
]
CONTRACT_FEATURE_NAMES = CONTRACT_INPUT_FIELDS[1:] + ["sex_F", "sex_I", "sex_M"]


def read_split(preprocessed, name):
    return np.loadtxt(preprocessed / name / f"{name}.csv", delimiter=",", ndmin=2)


def read_transform(preprocessed):
    return json.loads((preprocessed / "transform" / "transform.json").read_text())


def test_committed_data_has_a_header_and_all_uci_rows():
    lines = DATA_CSV.read_text().splitlines()
    assert lines[0] == ",".join(preprocess.COLUMNS)
    assert len(lines) == 1 + SHARED_ROWS


def test_splits_are_70_15_15_of_all_rows(preprocessed):
    sizes = {name: len(read_split(preprocessed, name)) for name in preprocess.SPLITS}
    assert sum(sizes.values()) == SHARED_ROWS
    assert sizes == {"train": 2923, "validation": 627, "test": 627}


def test_split_files_have_target_first_then_one_column_per_feature(preprocessed):
    train = read_split(preprocessed, "train")
    assert train.shape[1] == 1 + len(CONTRACT_FEATURE_NAMES)
    assert train[:, 0].min() >= 1 and train[:, 0].max() <= 29  # rings, not a scaled feature


def test_no_row_is_in_two_splits():
    data = preprocess.read_abalone_csv(DATA_CSV)
    indices = preprocess.split_indices(len(data), seed=42, validation_fraction=0.15, test_fraction=0.15)
    seen = np.concatenate(list(indices.values()))
    assert len(seen) == len(np.unique(seen)) == len(data)


def test_transform_file_follows_the_artifact_contract(preprocessed):
    transform = read_transform(preprocessed)
    assert list(transform) == ["schema_version", "target", "input_fields", "numeric", "categorical", "feature_names"]
    assert transform["schema_version"] == 1
    assert transform["target"] == "rings"
    assert transform["input_fields"] == CONTRACT_INPUT_FIELDS
    assert list(transform["numeric"]) == CONTRACT_INPUT_FIELDS[1:]
    for stats in transform["numeric"].values():
        assert set(stats) == {"mean", "std"} and stats["std"] > 0
    assert transform["categorical"] == {"sex": ["F", "I", "M"]}
    assert transform["feature_names"] == CONTRACT_FEATURE_NAMES


def test_transform_is_fitted_on_the_train_split_only(preprocessed):
    data = preprocess.read_abalone_csv(DATA_CSV)
    train_rows = preprocess.split_indices(len(data), 42, 0.15, 0.15)["train"]
    train_numeric = data.numeric[train_rows]
    transform = read_transform(preprocessed)
    means = [stats["mean"] for stats in transform["numeric"].values()]
    stds = [stats["std"] for stats in transform["numeric"].values()]
    np.testing.assert_allclose(means, train_numeric.mean(axis=0), rtol=1e-12)
    np.testing.assert_allclose(stds, train_numeric.std(axis=0, ddof=0), rtol=1e-12)
    assert not np.allclose(means, data.numeric.mean(axis=0), rtol=1e-9)


def test_split_features_equal_the_transform_applied_to_raw_rows(preprocessed):
    """What serving computes from transform.json is what training saw."""
    data = preprocess.read_abalone_csv(DATA_CSV)
    test_rows = preprocess.split_indices(len(data), 42, 0.15, 0.15)["test"]
    raw = data.take(test_rows)
    transform = read_transform(preprocessed)
    by_hand = np.column_stack(
        [(raw.numeric[:, i] - s["mean"]) / s["std"] for i, s in enumerate(transform["numeric"].values())]
        + [[1.0 if sex == c else 0.0 for sex in raw.sex] for c in transform["categorical"]["sex"]]
    )
    written = read_split(preprocessed, "test")
    np.testing.assert_array_equal(written[:, 0], raw.rings)
    np.testing.assert_array_equal(written[:, 1:], by_hand)


def test_outputs_are_byte_identical_across_runs(preprocessed, tmp_path):
    result = run_script("preprocess.py", "--input", str(DATA_CSV), "--output-dir", str(tmp_path))
    assert result.returncode == 0, result.stderr
    for name in ("transform/transform.json", "train/train.csv", "validation/validation.csv", "test/test.csv"):
        assert (tmp_path / name).read_bytes() == (preprocessed / name).read_bytes(), name


def test_reads_a_directory_of_csv_files_as_in_the_processing_container(tmp_path):
    (tmp_path / "input").mkdir()
    (tmp_path / "input" / "abalone.csv").write_bytes(DATA_CSV.read_bytes())
    sizes = preprocess.preprocess(tmp_path / "input", tmp_path / "out")
    assert sum(sizes.values()) == SHARED_ROWS


def test_a_constant_column_gets_std_1_not_0():
    data = preprocess.read_abalone_csv(DATA_CSV)
    constant = preprocess.Dataset(sex=data.sex, numeric=np.ones_like(data.numeric), rings=data.rings)
    transform = preprocess.fit_transform(constant)
    assert all(stats["std"] == 1.0 for stats in transform["numeric"].values())


# --- bad input: one readable line naming the problem, no traceback.

HEADER = ",".join(preprocess.COLUMNS)


@pytest.mark.parametrize(
    ("content", "expected"),
    [
        ("", "no data rows"),
        (HEADER + "\n", "no data rows"),
        ("sex,length,diameter,height,whole_weight,shucked_weight,viscera_weight,rings\nM,1,1,1,1,1,1,9\n",
         "missing column(s): shell_weight"),
        (HEADER + "\nX,0.4,0.3,0.1,0.5,0.2,0.1,0.15,9\n", "column 'sex': unknown value 'X'"),
        (HEADER + "\nM,0.4,abc,0.1,0.5,0.2,0.1,0.15,9\n", "column 'diameter': 'abc' is not a number"),
        (HEADER + "\nM,0.4,0.3,nan,0.5,0.2,0.1,0.15,9\n", "column 'height': 'nan' is not a finite number"),
        (HEADER + "\nM,0.4,0.3,0.1,0.5\n", "expected 9 fields"),
    ],
    ids=["empty file", "header only", "missing column", "unknown sex", "not a number", "nan", "short row"],
)
def test_bad_input_exits_with_a_message_naming_the_problem(tmp_path, content, expected):
    source = tmp_path / "abalone.csv"
    source.write_text(content)
    with pytest.raises(SystemExit) as exit_info:
        preprocess.main(["--input", str(source), "--output-dir", str(tmp_path / "out")])
    message = str(exit_info.value.code)
    assert message.startswith("preprocess: bad input data: ")
    assert expected in message


def test_bad_input_as_a_script_prints_one_line_and_no_traceback(tmp_path):
    source = tmp_path / "abalone.csv"
    source.write_text(HEADER + "\nX,0.4,0.3,0.1,0.5,0.2,0.1,0.15,9\n")
    result = run_script("preprocess.py", "--input", str(source), "--output-dir", str(tmp_path / "out"))
    assert result.returncode == 1
    assert "Traceback" not in result.stderr
    assert "abalone.csv line 2, column 'sex': unknown value 'X'" in result.stderr


def test_missing_input_names_the_path(tmp_path):
    with pytest.raises(SystemExit, match="no such file or directory"):
        preprocess.main(["--input", str(tmp_path / "nowhere.csv"), "--output-dir", str(tmp_path / "out")])


@pytest.mark.parametrize("args, expected", [
    (["--test-fraction", "2"], "--test-fraction must be between 0 and 1"),
    (["--validation-fraction", "0"], "--validation-fraction must be between 0 and 1"),
    (["--validation-fraction", "0.5", "--test-fraction", "0.5"], "must be below 1, to leave rows for training"),
])
def test_bad_split_fractions_are_usage_errors_naming_the_argument(tmp_path, args, expected, capsys):
    with pytest.raises(SystemExit):
        preprocess.main(["--input", str(tmp_path), "--output-dir", str(tmp_path / "out"), *args])
    assert expected in capsys.readouterr().err
