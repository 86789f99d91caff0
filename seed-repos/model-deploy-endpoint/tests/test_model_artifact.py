"""MODEL_ARTIFACT: the suite serves the artifact it names, a model.tar.gz or a directory."""

import io
import json
import os
import shutil
import subprocess
import sys
import tarfile

import pytest

import model_artifact

ROOT = model_artifact.ROOT


def test_without_the_variable_the_model_is_trained_on_the_sample(tmp_path):
    assert model_artifact.place(tmp_path / "model", env={}) == "trained locally from data/abalone-sample.csv"
    assert sorted(p.name for p in (tmp_path / "model").iterdir()) == ["model-info.json", "transform.json", "xgboost-model.json"]


@pytest.mark.parametrize("prefix", ["", "./"])
def test_a_model_tar_gz_is_extracted_as_sagemaker_extracts_it(model_dir, tmp_path, prefix):
    archive = tmp_path / "model.tar.gz"
    with tarfile.open(archive, "w:gz") as tar:
        for path in model_dir.iterdir():
            tar.add(path, arcname=prefix + path.name)
    assert model_artifact.place(tmp_path / "model", env={"MODEL_ARTIFACT": str(archive)}) == f"MODEL_ARTIFACT={archive}"
    for path in model_dir.iterdir():
        assert (tmp_path / "model" / path.name).read_bytes() == path.read_bytes()


def test_a_directory_is_copied(model_dir, tmp_path):
    model_artifact.place(tmp_path / "model", env={"MODEL_ARTIFACT": str(model_dir)})
    assert sorted(p.name for p in (tmp_path / "model").iterdir()) == sorted(p.name for p in model_dir.iterdir())


def test_an_archive_member_outside_the_model_directory_is_refused(tmp_path):
    archive = tmp_path / "model.tar.gz"
    with tarfile.open(archive, "w:gz") as tar:
        info = tarfile.TarInfo("../escaped.json")
        info.size = 2
        tar.addfile(info, io.BytesIO(b"{}"))
    with pytest.raises(model_artifact.ArtifactError, match="not a readable model.tar.gz"):
        model_artifact.place(tmp_path / "model", env={"MODEL_ARTIFACT": str(archive)})
    assert not (tmp_path / "escaped.json").exists()


def test_a_path_that_does_not_exist_is_named(tmp_path):
    with pytest.raises(model_artifact.ArtifactError, match="no such file or directory"):
        model_artifact.place(tmp_path / "model", env={"MODEL_ARTIFACT": str(tmp_path / "nothing.tar.gz")})


def test_the_suite_refuses_an_unusable_artifact_in_one_line_before_running_a_test(model_dir, tmp_path):
    # A version 1 transform: the suite says why and runs nothing (pytest's usage error, exit 4).
    shutil.copytree(model_dir, tmp_path / "old")
    name = json.loads((model_dir / "model-info.json").read_text())["transform_file"]
    doc = json.loads((model_dir / name).read_text())
    (tmp_path / "old" / name).write_text(json.dumps({**doc, "schema_version": 1}))
    result = subprocess.run([sys.executable, "-m", "pytest", "-q", "tests/test_request_error.py"], cwd=ROOT,
                            env={**os.environ, "MODEL_ARTIFACT": str(tmp_path / "old")},
                            capture_output=True, text=True, timeout=120)
    assert result.returncode == 4, result.stdout + result.stderr
    assert "the model under test cannot be used: transform.json: schema_version is 1" in result.stderr
