"""preprocess.py: validation, the split, and transform.json (the input contract every serving side reads).

Expectations come from FEATURES, the one place the inputs are defined, so the suite holds for any
feature set a data scientist configures; the Abalone columns are the committed example.
"""

from __future__ import annotations

import json

import numpy as np
import pytest

from conftest import DATA_CSV, run_script
from pipelines.abalone import preprocess
from pipelines.abalone.preprocess import Categorical, Numeric

SHARED_ROWS = 4177
NUMERIC = preprocess.numeric_fields(preprocess.FEATURES)
CATEGORICAL = preprocess.categorical_fields(preprocess.FEATURES)
CONTRACT_KEYS = ["schema_version", "target", "input_fields", "numeric", "categorical", "feature_names", "examples"]
NUMERIC_KEYS = ["mean", "std", "minimum", "maximum", "observed_minimum", "observed_maximum"]


def read_split(preprocessed, name):
    return np.loadtxt(preprocessed / name / f"{name}.csv", delimiter=",", ndmin=2)


def read_transform(preprocessed):
    return json.loads((preprocessed / "transform" / "transform.json").read_text())


def train_rows():
    data = preprocess.read_csv(DATA_CSV)
    return preprocess.split_dataset(data)["train"]


def test_committed_data_has_a_header_with_every_feature_and_the_target_and_all_uci_rows():
    lines = DATA_CSV.read_text().splitlines()
    assert set(preprocess.FEATURES) | {preprocess.TARGET} <= set(lines[0].split(","))
    assert len(lines) == 1 + SHARED_ROWS


def test_the_abalone_example_inputs_are_sex_and_seven_measurements():
    assert preprocess.FEATURES["sex"] == Categorical(("F", "I", "M"))
    assert NUMERIC == ["length", "diameter", "height", "whole_weight", "shucked_weight", "viscera_weight", "shell_weight"]


def test_splits_are_70_15_15_of_all_rows(preprocessed):
    sizes = {name: len(read_split(preprocessed, name)) for name in preprocess.SPLITS}
    assert sum(sizes.values()) == SHARED_ROWS
    assert sizes == {"train": 2923, "validation": 627, "test": 627}


def test_split_files_have_target_first_then_one_column_per_feature(preprocessed):
    train = read_split(preprocessed, "train")
    assert train.shape[1] == 1 + len(preprocess.feature_names(preprocess.FEATURES))
    assert train[:, 0].min() >= 1 and train[:, 0].max() <= 29  # rings, not a scaled feature


def test_no_row_is_in_two_splits():
    data = preprocess.read_csv(DATA_CSV)
    indices = preprocess.split_indices(len(data), seed=42, validation_fraction=0.15, test_fraction=0.15)
    seen = np.concatenate(list(indices.values()))
    assert len(seen) == len(np.unique(seen)) == len(data)


def test_transform_file_follows_the_schema_version_2_contract(preprocessed):
    transform = read_transform(preprocessed)
    assert list(transform) == CONTRACT_KEYS
    assert transform["schema_version"] == 2
    assert transform["target"] == preprocess.TARGET
    assert transform["input_fields"] == list(preprocess.FEATURES)
    assert list(transform["numeric"]) == NUMERIC
    for stats in transform["numeric"].values():
        assert list(stats) == NUMERIC_KEYS and stats["std"] > 0
        assert stats["minimum"] <= stats["observed_minimum"] <= stats["observed_maximum"] <= stats["maximum"]
    assert transform["categorical"] == {name: list(preprocess.FEATURES[name].categories) for name in CATEGORICAL}
    assert transform["feature_names"] == NUMERIC + [f"{n}_{c}" for n in CATEGORICAL for c in transform["categorical"][n]]


def test_the_abalone_transform_names_the_features_as_before(preprocessed):
    """schema_version 2 is a superset of 1: what a version-1 reader used is unchanged."""
    transform = read_transform(preprocessed)
    assert transform["input_fields"][0] == "sex" and transform["categorical"] == {"sex": ["F", "I", "M"]}
    assert transform["feature_names"][-3:] == ["sex_F", "sex_I", "sex_M"]


def test_observed_ranges_are_the_train_splits_and_accepted_ranges_follow_the_margin_rule(preprocessed):
    train = train_rows()
    transform = read_transform(preprocessed)
    for name, stats in transform["numeric"].items():
        low, high = train.numeric[name].min(), train.numeric[name].max()
        assert (stats["observed_minimum"], stats["observed_maximum"]) == (low, high)
        span = high - low
        # All values >= 0 (every Abalone measurement), so the minimum is clipped at 0; bounds are rounded
        # outward to 4 significant digits.
        minimum, maximum = max(0.0, low - preprocess.RANGE_MARGIN * span), high + preprocess.RANGE_MARGIN * span
        assert minimum - abs(minimum) * 1e-3 <= stats["minimum"] <= minimum
        assert maximum <= stats["maximum"] <= maximum * (1 + 1e-3)


def test_every_row_of_the_committed_data_is_within_the_accepted_ranges(preprocessed):
    """RANGE_MARGIN is wide enough for the whole data set, the test split's outliers included."""
    data = preprocess.read_csv(DATA_CSV)
    for name, stats in read_transform(preprocessed)["numeric"].items():
        assert stats["minimum"] <= data.numeric[name].min() and data.numeric[name].max() <= stats["maximum"], name


@pytest.mark.parametrize("values, margin, at_least, expected", [
    ([0.2, 0.5, 1.0], 1.0, None, (0.0, 1.8)),  # min - span = -0.6 < 0, all values >= 0: clipped at 0
    ([-1.0, 3.0], 1.0, None, (-5.0, 7.0)),  # a value below 0: no clip
    ([2.0, 3.0], 0.5, None, (1.5, 3.5)),
    ([2.0, 3.0], 0.0, None, (2.0, 3.0)),
    ([5.0, 5.0, 5.0], 1.0, None, (0.0, 10.0)),  # constant: its own size stands in for the span
    ([-0.5, -0.5], 1.0, None, (-1.5, 0.5)),  # constant below 1 in size: a span of 1
    ([2.0, 3.0], 1.0, 1.5, (1.5, 4.0)),  # never below the field's at_least
    ([0.1234567, 0.2], 0.0, None, (0.1234, 0.2)),  # rounded outward to 4 significant digits
])
def test_the_margin_rule_gives_the_accepted_range(values, margin, at_least, expected):
    assert preprocess.accepted_range(np.array(values), margin, at_least) == expected


def test_examples_are_valid_synthesised_records_covering_every_category(preprocessed):
    transform = read_transform(preprocessed)
    examples = transform["examples"]
    assert 3 <= len(examples) <= 5
    for record in examples:
        assert list(record) == transform["input_fields"]
        for name, stats in transform["numeric"].items():
            assert isinstance(record[name], float) and stats["minimum"] <= record[name] <= stats["maximum"]
        for name, categories in transform["categorical"].items():
            assert record[name] in categories
    for name, categories in transform["categorical"].items():
        assert {record[name] for record in examples} == set(categories)


def test_examples_are_the_train_splits_quartiles_not_copied_rows(preprocessed):
    train = train_rows()
    examples = read_transform(preprocessed)["examples"]
    for record, level in zip(examples, (0.25, 0.5, 0.75)):
        for name in NUMERIC:
            assert record[name] == pytest.approx(np.quantile(train.numeric[name], level), rel=1e-3)
    rows = {tuple(train.numeric[name][i] for name in NUMERIC) for i in range(len(train))}
    assert not any(tuple(record[name] for name in NUMERIC) in rows for record in examples)


def test_transform_is_fitted_on_the_train_split_only(preprocessed):
    data = preprocess.read_csv(DATA_CSV)
    train = train_rows()
    transform = read_transform(preprocessed)
    for name, stats in transform["numeric"].items():
        assert stats["mean"] == pytest.approx(train.numeric[name].mean(), rel=1e-12)
        assert stats["std"] == pytest.approx(train.numeric[name].std(ddof=0), rel=1e-12)
    assert not np.allclose([s["mean"] for s in transform["numeric"].values()],
                           [data.numeric[name].mean() for name in NUMERIC], rtol=1e-9)


def test_split_features_equal_the_transform_applied_to_raw_rows(preprocessed):
    """What serving computes from transform.json is what training saw."""
    data = preprocess.read_csv(DATA_CSV)
    raw = preprocess.split_dataset(data)["test"]
    transform = read_transform(preprocessed)
    by_hand = np.column_stack(
        [(raw.numeric[name] - s["mean"]) / s["std"] for name, s in transform["numeric"].items()]
        + [[1.0 if value == c else 0.0 for value in raw.categorical[name]]
           for name, categories in transform["categorical"].items() for c in categories]
    )
    written = read_split(preprocessed, "test")
    np.testing.assert_array_equal(written[:, 0], raw.target)
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


def test_a_headerless_file_is_read_in_the_uci_column_order(tmp_path):
    lines = DATA_CSV.read_text().splitlines()
    (tmp_path / "abalone.data").write_text("\n".join(lines[1:]) + "\n")
    headerless = preprocess.read_csv(tmp_path / "abalone.data")
    with_header = preprocess.read_csv(DATA_CSV)
    np.testing.assert_array_equal(headerless.target, with_header.target)
    for name in NUMERIC:
        np.testing.assert_array_equal(headerless.numeric[name], with_header.numeric[name])


def test_columns_are_found_by_header_name_in_any_order_and_others_are_read_past(tmp_path):
    header, *rows = DATA_CSV.read_text().splitlines()
    names = header.split(",")
    order = list(reversed(range(len(names))))
    shuffled = [",".join([*(row.split(",")[i] for i in order), "note"]) for row in [header, *rows]]
    (tmp_path / "shuffled.csv").write_text("\n".join(shuffled) + "\n")
    read, expected = preprocess.read_csv(tmp_path / "shuffled.csv"), preprocess.read_csv(DATA_CSV)
    np.testing.assert_array_equal(read.target, expected.target)
    for name in CATEGORICAL:
        np.testing.assert_array_equal(read.categorical[name], expected.categorical[name])


def test_a_repeated_column_that_is_no_input_is_read_past(tmp_path):
    header, row = DATA_CSV.read_text().splitlines()[:2]
    (tmp_path / "d.csv").write_text(f"{header},note,note\n{row},a,b\n")
    assert len(preprocess.read_csv(tmp_path / "d.csv")) == 1


def test_categories_are_matched_case_insensitively_and_stored_as_configured(tmp_path):
    features = {"colour": Categorical(("Red", "blue")), "size": Numeric()}
    (tmp_path / "d.csv").write_text("colour,size,rings\nred,1,3\nBLUE,2,4\n")
    assert preprocess.read_csv(tmp_path / "d.csv", features).categorical["colour"].tolist() == ["Red", "blue"]


def test_a_constant_column_gets_std_1_not_0():
    data = preprocess.read_csv(DATA_CSV)
    constant = preprocess.Dataset(numeric={n: np.ones(len(data)) for n in NUMERIC},
                                  categorical=data.categorical, target=data.target)
    transform = preprocess.fit_transform(constant)
    assert all(stats["std"] == 1.0 for stats in transform["numeric"].values())


def test_a_feature_set_with_more_categories_than_three_gets_one_example_per_category(tmp_path):
    features = {"grade": Categorical(("a", "b", "c", "d")), "size": Numeric()}
    (tmp_path / "d.csv").write_text("grade,size,rings\n" + "".join(f"{'abcd'[i % 4]},{i},{i}\n" for i in range(40)))
    transform = preprocess.fit_transform(preprocess.read_csv(tmp_path / "d.csv", features), features)
    assert [record["grade"] for record in transform["examples"]] == ["a", "b", "c", "d"]
    assert transform["feature_names"] == ["size", "grade_a", "grade_b", "grade_c", "grade_d"]


# --- a FEATURES table that cannot work is refused, naming the entry.


@pytest.mark.parametrize("features, margin, expected", [
    ({}, 1.0, "FEATURES is empty"),
    ({"rings": Numeric()}, 1.0, "'rings' is the target"),
    ({"Length": Numeric()}, 1.0, "'Length' is not a usable column name"),
    ({"sex": Categorical(())}, 1.0, "categories must be non-empty"),
    ({"sex": Categorical(("M", "m"))}, 1.0, "categories repeat"),
    ({"sex": ("F", "M")}, 1.0, "must be Numeric(...) or Categorical((...))"),
    ({"a": Categorical(("b",)), "a_b": Numeric()}, 1.0, "the model column(s) a_b would come from two fields"),
    ({"a": Numeric()}, -1.0, "RANGE_MARGIN must be a finite number >= 0"),
])
def test_an_unusable_feature_set_is_refused_naming_the_entry(features, margin, expected):
    with pytest.raises(preprocess.FeatureConfigError) as error:
        preprocess.check_features(features, margin)
    assert expected in str(error.value)


def test_an_unusable_feature_set_as_a_script_is_one_line(tmp_path, monkeypatch):
    monkeypatch.setattr(preprocess, "FEATURES", {"rings": Numeric()})
    with pytest.raises(SystemExit) as exit_info:
        preprocess.main(["--input", str(DATA_CSV), "--output-dir", str(tmp_path / "out")])
    assert str(exit_info.value.code) == (
        "preprocess: bad configuration in preprocess.py: FEATURES: 'rings' is the target, not an input")


# --- bad input: one readable line naming the problem, no traceback.

HEADER = DATA_CSV.read_text().splitlines()[0]
ROW = DATA_CSV.read_text().splitlines()[1]


def corrupt(column: str, value: str) -> str:
    """The committed data's first row with one column's value replaced."""
    fields = ROW.split(",")
    fields[HEADER.split(",").index(column)] = value
    return HEADER + "\n" + ",".join(fields) + "\n"


def without(column: str) -> str:
    keep = [i for i, name in enumerate(HEADER.split(",")) if name != column]
    return "".join(",".join(line.split(",")[i] for i in keep) + "\n" for line in (HEADER, ROW))


FIRST_NUMERIC, FIRST_CATEGORICAL = NUMERIC[0], CATEGORICAL[0]


@pytest.mark.parametrize(
    ("content", "expected"),
    [
        ("", "no data rows"),
        (HEADER + "\n", "no data rows"),
        (without(NUMERIC[-1]), f"missing column(s): {NUMERIC[-1]}"),
        (corrupt(FIRST_CATEGORICAL, "X"), f"column '{FIRST_CATEGORICAL}': unknown value 'X'"),
        (corrupt(FIRST_NUMERIC, "abc"), f"column '{FIRST_NUMERIC}': 'abc' is not a number"),
        (corrupt(FIRST_NUMERIC, "nan"), f"column '{FIRST_NUMERIC}': 'nan' is not a finite number"),
        (corrupt(FIRST_NUMERIC, "-0.5"), f"column '{FIRST_NUMERIC}': -0.5 is below 0.0, the least it may be"),
        (corrupt(preprocess.TARGET, "x"), f"column '{preprocess.TARGET}': 'x' is not a number"),
        (HEADER + "\n" + ",".join(ROW.split(",")[:5]) + "\n", f"expected {len(HEADER.split(','))} fields, got 5"),
        (HEADER + "," + HEADER.split(",")[0] + "\n", "duplicated column(s)"),
    ],
    ids=["empty file", "header only", "missing column", "unknown category", "not a number", "nan", "below at_least",
         "target not a number", "short row", "duplicated column"],
)
def test_bad_input_exits_with_a_message_naming_the_problem(tmp_path, content, expected):
    source = tmp_path / "abalone.csv"
    source.write_text(content)
    with pytest.raises(SystemExit) as exit_info:
        preprocess.main(["--input", str(source), "--output-dir", str(tmp_path / "out")])
    message = str(exit_info.value.code)
    assert message.startswith("preprocess: bad input data: ")
    assert expected in message


def test_a_headerless_file_cannot_hold_a_column_the_uci_file_lacks(tmp_path):
    (tmp_path / "abalone.data").write_text(ROW + "\n")
    with pytest.raises(preprocess.InputDataError, match="no header line, .* which lack volume: add a header line"):
        preprocess.read_csv(tmp_path / "abalone.data", {**preprocess.FEATURES, "volume": Numeric()})


def test_bad_input_as_a_script_prints_one_line_and_no_traceback(tmp_path):
    source = tmp_path / "abalone.csv"
    source.write_text(corrupt(FIRST_CATEGORICAL, "X"))
    result = run_script("preprocess.py", "--input", str(source), "--output-dir", str(tmp_path / "out"))
    assert result.returncode == 1
    assert "Traceback" not in result.stderr
    assert f"abalone.csv line 2, column '{FIRST_CATEGORICAL}': unknown value 'X'" in result.stderr


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
