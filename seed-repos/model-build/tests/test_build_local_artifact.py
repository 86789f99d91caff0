"""build_local_artifact.py: a complete model.tar.gz of a feature variant, built on this machine."""

from __future__ import annotations

import json
import subprocess
import sys
import tarfile
import time

import numpy as np
import pytest

from conftest import DATA_CSV, REPO_ROOT
from pipelines.abalone import build_local_artifact, inference, preprocess

VARIANT = ["--drop-feature", "shell_weight", "--add-feature", "volume=length*diameter*height"]
# The brief for deploy repositories' parity runs: a build well under 20 s on the 4,177-row data set.
MAX_BUILD_SECONDS = 20


@pytest.fixture(scope="module")
def built(tmp_path_factory):
    out = tmp_path_factory.mktemp("variant") / "nested" / "model.tar.gz"
    started = time.monotonic()
    result = subprocess.run([sys.executable, "-m", "pipelines.abalone.build_local_artifact", "--data", str(DATA_CSV),
                             *VARIANT, "--out", str(out)], cwd=REPO_ROOT, capture_output=True, text=True, timeout=120)
    seconds = time.monotonic() - started
    assert result.returncode == 0, result.stderr[-2000:]
    extracted = out.parent / "extracted"
    with tarfile.open(out) as archive:
        names = archive.getnames()
        archive.extractall(extracted, filter="data")
    return {"out": out, "names": names, "dir": extracted, "stdout": result.stdout, "seconds": seconds,
            "transform": json.loads((extracted / "transform.json").read_text())}


def test_the_archive_holds_the_three_artifact_files_at_its_root(built):
    assert sorted(built["names"]) == ["model-info.json", "transform.json", "xgboost-model.json"]


def test_the_variant_drops_and_adds_the_named_inputs(built):
    expected = [f for f in preprocess.FEATURES if f != "shell_weight"] + ["volume"]
    transform = built["transform"]
    assert transform["schema_version"] == 2
    assert transform["input_fields"] == expected
    assert list(transform["numeric"]) == expected[1:]
    assert all(list(example) == expected for example in transform["examples"])
    assert f"inputs {', '.join(expected)};" in built["stdout"]


def test_a_derived_feature_is_the_product_of_its_columns_over_the_train_split(built):
    data = preprocess.read_csv(DATA_CSV)
    train = preprocess.split_dataset(data)["train"]
    volume = train.numeric["length"] * train.numeric["diameter"] * train.numeric["height"]
    stats = built["transform"]["numeric"]["volume"]
    assert (stats["observed_minimum"], stats["observed_maximum"]) == (volume.min(), volume.max())
    assert stats["mean"] == pytest.approx(volume.mean(), rel=1e-12)


def test_the_archive_serves_its_examples_through_the_registered_serving_script(built):
    model = inference.model_fn(str(built["dir"]))
    predictions = model.booster.inplace_predict(inference.features(model, model.examples))
    assert len(predictions) == len(built["transform"]["examples"])
    assert np.all((predictions >= 1) & (predictions <= 29))


def test_it_reports_the_test_split_rmse_and_is_fast(built, capsys):
    rmse = float(built["stdout"].rsplit("test-split RMSE ", 1)[1])
    with capsys.disabled():
        print(f"\nbuild_local_artifact: variant built in {built['seconds']:.1f} s, test-split RMSE {rmse:.4f}")
    assert 0 < rmse < 3
    assert built["seconds"] < MAX_BUILD_SECONDS


def test_the_shared_uci_file_without_header_builds_too(tmp_path):
    lines = DATA_CSV.read_text().splitlines()
    (tmp_path / "abalone.data").write_text("\n".join(lines[1:]) + "\n")
    built = build_local_artifact.build_artifact(tmp_path / "abalone.data", tmp_path / "model.tar.gz",
                                                drop=["height"], work_dir=tmp_path / "work")
    assert built["input_fields"] == [f for f in preprocess.FEATURES if f != "height"]
    transform = json.loads((tmp_path / "work" / "processing" / "transform" / "transform.json").read_text())
    assert "height" not in transform["numeric"]


@pytest.mark.parametrize("argv, message", [
    (["--drop-feature", "colour"], "build_local_artifact: --drop-feature colour: not in FEATURES (sex, length,"),
    (["--add-feature", "Volume=length"], "build_local_artifact: --add-feature 'Volume=length': expected NAME or"),
    (["--add-feature", "length"], "build_local_artifact: --add-feature length: already an input or the target"),
    (["--add-feature", "v=sex*length"], "build_local_artifact: --add-feature: sex is categorical"),
    (["--add-feature", "colour"], "header missing column(s): colour"),
    (["--data", "nowhere.csv"], "build_local_artifact: nowhere.csv: no such file or directory"),
    ([*(arg for f in preprocess.FEATURES for arg in ("--drop-feature", f))], "every feature was dropped"),
], ids=["unknown drop", "bad add", "add existing", "categorical factor", "column not in data", "no data", "drop all"])
def test_a_bad_variant_is_one_line_naming_the_argument(tmp_path, argv, message):
    with pytest.raises(SystemExit) as exit_info:
        build_local_artifact.main([*argv, "--out", str(tmp_path / "model.tar.gz")])
    assert message in str(exit_info.value.code) and "\n" not in str(exit_info.value.code)
    assert not (tmp_path / "model.tar.gz").exists()


def test_out_naming_a_directory_is_refused(tmp_path):
    with pytest.raises(SystemExit, match=r"--out .*: is a directory; name the archive"):
        build_local_artifact.main(["--out", str(tmp_path)])


def test_an_unknown_option_is_one_line_without_the_usage_block():
    result = subprocess.run([sys.executable, "-m", "pipelines.abalone.build_local_artifact", "--drop", "x", "--out", "m"],
                            cwd=REPO_ROOT, capture_output=True, text=True, timeout=60)
    assert result.returncode == 2
    assert result.stderr.splitlines() == ["build_local_artifact: error: unrecognized arguments: --drop x (see --help)"]
