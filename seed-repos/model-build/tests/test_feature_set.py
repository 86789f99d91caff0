"""Editing FEATURES in preprocess.py is all it takes to drop or add an input.

Each variant is made as a data scientist makes it: a copy of the step scripts in which only the
FEATURES table of preprocess.py is edited (one line removed, or one line added with the column
added to the data). The copies then run as the pipeline runs them, preprocess -> train -> pack ->
evaluate -> serve, and the artifact's transform.json must describe exactly the new inputs.
"""

from __future__ import annotations

import json
import shutil
import subprocess
import sys

import pytest

from conftest import DATA_CSV, STEP_SCRIPTS
from pipelines.abalone import preprocess
from pipelines.abalone.build_local_artifact import pack_model_dir
from pipelines.abalone.pipeline import MAX_TEST_RMSE

SCRIPTS = ("preprocess.py", "train.py", "evaluate.py", "inference.py")
DROPPED = "shell_weight"
ADDED = "volume"  # length * diameter * height, a derived column added to the data
DROPPED_LINE = f'    "{DROPPED}": Numeric(at_least=0.0),\n'


def with_volume_column(target):
    header, *rows = DATA_CSV.read_text().splitlines()
    names = header.split(",")
    lines = [header + f",{ADDED}"]
    for row in rows:
        values = dict(zip(names, row.split(",")))
        lines.append(row + "," + repr(float(values["length"]) * float(values["diameter"]) * float(values["height"])))
    target.write_text("\n".join(lines) + "\n")
    return target


def run(scripts, name, *args, stdin=None):
    result = subprocess.run([sys.executable, str(scripts / name), *args], capture_output=True, text=True,
                            input=stdin, timeout=120)
    return result


def build_variant(tmp_path, edit, data):
    """Copy the step scripts, edit FEATURES in the copy, and run the steps on ``data``."""
    scripts = tmp_path / "scripts"
    scripts.mkdir()
    for name in SCRIPTS:
        shutil.copyfile(STEP_SCRIPTS / name, scripts / name)
    source = (scripts / "preprocess.py").read_text()
    assert source.count(DROPPED_LINE) == 1, "the FEATURES table no longer has one line per feature"
    (scripts / "preprocess.py").write_text(edit(source))
    work = tmp_path / "work"
    steps = [
        ("preprocess.py", "--input", str(data), "--output-dir", str(work)),
        ("train.py", "--train", str(work / "train"), "--validation", str(work / "validation"),
         "--transform", str(work / "transform"), "--model-dir", str(work / "model")),
    ]
    for step in steps:
        result = run(scripts, *step)
        assert result.returncode == 0, result.stderr[-2000:]
    pack_model_dir(work / "model", work / "model.tar.gz")
    result = run(scripts, "evaluate.py", "--model", str(work / "model.tar.gz"), "--test-dir", str(work / "test"),
                 "--output-dir", str(work / "evaluation"))
    assert result.returncode == 0, result.stderr[-2000:]
    served = run(scripts, "inference.py", "--model-dir", str(work / "model"), "--examples")
    assert served.returncode == 0, served.stderr[-2000:]
    return {
        "scripts": scripts,
        "work": work,
        "transform": json.loads((work / "model" / "transform.json").read_text()),
        "evaluation": json.loads((work / "evaluation" / "evaluation.json").read_text()),
        "served_examples": served.stdout.splitlines(),
    }


@pytest.fixture(scope="module")
def dropped(tmp_path_factory):
    return build_variant(tmp_path_factory.mktemp("dropped"), lambda source: source.replace(DROPPED_LINE, ""), DATA_CSV)


@pytest.fixture(scope="module")
def added(tmp_path_factory):
    tmp_path = tmp_path_factory.mktemp("added")
    added_line = DROPPED_LINE.replace(DROPPED, ADDED)
    return build_variant(tmp_path, lambda source: source.replace(DROPPED_LINE, DROPPED_LINE + added_line),
                         with_volume_column(tmp_path / "abalone-with-volume.csv"))


def train_split(data_csv, numeric):
    data = preprocess.read_csv(data_csv, {**{n: preprocess.Numeric() for n in numeric}, "sex": preprocess.FEATURES["sex"]})
    return preprocess.split_dataset(data)["train"]


def assert_transform_describes(transform, input_fields, train):
    numeric = [field for field in input_fields if field != "sex"]
    assert transform["schema_version"] == 2
    assert transform["input_fields"] == input_fields
    assert list(transform["numeric"]) == numeric
    assert transform["feature_names"] == numeric + ["sex_F", "sex_I", "sex_M"]
    for name, stats in transform["numeric"].items():
        values = train.numeric[name]
        assert (stats["observed_minimum"], stats["observed_maximum"]) == (values.min(), values.max())
        assert (stats["minimum"], stats["maximum"]) == preprocess.accepted_range(values, preprocess.RANGE_MARGIN, 0.0)
        assert stats["mean"] == pytest.approx(values.mean(), rel=1e-12)
    assert {record["sex"] for record in transform["examples"]} == {"F", "I", "M"}
    for record in transform["examples"]:
        assert list(record) == input_fields
        for name in numeric:
            assert transform["numeric"][name]["minimum"] <= record[name] <= transform["numeric"][name]["maximum"]


def assert_examples_served(variant):
    header, *lines = variant["served_examples"]
    assert header == ",".join(variant["transform"]["input_fields"]) + ",prediction"
    assert len(lines) == len(variant["transform"]["examples"])
    assert all(1.0 <= float(line.rsplit(",", 1)[1]) <= 29.0 for line in lines)


def test_a_feature_removed_from_features_is_gone_from_the_whole_artifact(dropped):
    expected = [field for field in preprocess.FEATURES if field != DROPPED]
    assert_transform_describes(dropped["transform"], expected, train_split(DATA_CSV, expected[1:]))
    info = json.loads((dropped["work"] / "model" / "model-info.json").read_text())
    assert info["feature_names"] == dropped["transform"]["feature_names"]


def test_a_model_without_the_feature_trains_evaluates_and_serves_its_examples(dropped):
    assert dropped["evaluation"]["regression_metrics"]["rmse"]["value"] <= MAX_TEST_RMSE
    assert_examples_served(dropped)


def test_a_model_without_the_feature_refuses_a_request_that_still_sends_it(dropped):
    full = ",".join(["M", *["0.1"] * (len(preprocess.FEATURES) - 1)])
    result = run(dropped["scripts"], "inference.py", "--model-dir", str(dropped["work"] / "model"), stdin=full + "\n")
    assert result.returncode == 1 and "Traceback" not in result.stderr
    assert f"line 1: expected {len(preprocess.FEATURES) - 1} fields" in result.stderr


def test_a_feature_added_to_features_and_the_data_is_in_the_whole_artifact(added, tmp_path):
    expected = [*preprocess.FEATURES, ADDED]
    data = with_volume_column(tmp_path / "data.csv")
    assert_transform_describes(added["transform"], expected, train_split(data, expected[1:]))
    assert added["transform"]["feature_names"][len(expected) - 2] == ADDED


def test_a_model_with_the_added_feature_trains_evaluates_and_serves_its_examples(added):
    assert added["evaluation"]["regression_metrics"]["rmse"]["value"] <= MAX_TEST_RMSE
    assert_examples_served(added)


def test_the_added_feature_is_range_checked_like_the_others(added):
    examples = added["transform"]["examples"]
    too_big = added["transform"]["numeric"][ADDED]["maximum"] * 2
    line = ",".join(str(examples[0][f]) if f != ADDED else repr(too_big) for f in added["transform"]["input_fields"])
    result = run(added["scripts"], "inference.py", "--model-dir", str(added["work"] / "model"), stdin=line + "\n")
    assert result.returncode == 1
    assert f"line 1.{ADDED}: must be between 0.0 and" in result.stderr


def test_the_variants_differ_from_the_default_model_only_in_the_edited_input(dropped, added, preprocessed):
    default = json.loads((preprocessed / "transform" / "transform.json").read_text())
    for name, stats in default["numeric"].items():
        if name != DROPPED:
            assert dropped["transform"]["numeric"][name] == stats
        assert added["transform"]["numeric"][name] == stats
    assert dropped["transform"]["categorical"] == added["transform"]["categorical"] == default["categorical"]
