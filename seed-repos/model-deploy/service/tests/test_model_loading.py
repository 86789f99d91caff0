"""A missing, malformed or mismatched model artifact stops the service at init with a clear message."""

from __future__ import annotations

import json
import os
import shutil

import pytest
import xgboost

from app.model import ModelLoadError, load_model


@pytest.fixture
def artifact(model_dir, tmp_path):
    """A writable copy of the trained model directory."""
    copy = tmp_path / "model"
    shutil.copytree(model_dir, copy)
    return copy


def _edit_json(path, **changes):
    doc = json.loads(path.read_text())
    doc.update(changes)
    path.write_text(json.dumps(doc))


def test_valid_artifact_loads_with_requested_thread_count(artifact):
    model = load_model(str(artifact), nthread=2)

    assert model.xgboost_version == xgboost.__version__
    assert json.loads(model.booster.save_config())["learner"]["generic_param"]["nthread"] == "2"


def test_xgboost_version_mismatch_fails_naming_both_versions(artifact):
    _edit_json(artifact / "model-info.json", xgboost_version="1.7.6")

    with pytest.raises(ModelLoadError, match=rf"trained with xgboost '1.7.6'.*runs xgboost '{xgboost.__version__}'"):
        load_model(str(artifact))


@pytest.mark.parametrize("name", ["model-info.json", "transform.json", "xgboost-model.json", "model-package.json"])
def test_missing_artifact_file_fails_naming_the_file(artifact, name):
    os.remove(artifact / name)

    with pytest.raises(ModelLoadError, match=name):
        load_model(str(artifact))


def test_missing_model_directory_fails_naming_model_dir(tmp_path):
    with pytest.raises(ModelLoadError, match="MODEL_DIR"):
        load_model(str(tmp_path / "absent"))


def test_transform_feature_order_differing_from_model_info_fails(artifact):
    info = json.loads((artifact / "model-info.json").read_text())
    _edit_json(artifact / "model-info.json", feature_names=list(reversed(info["feature_names"])))

    with pytest.raises(ModelLoadError, match="feature_names disagree"):
        load_model(str(artifact))


def test_booster_trained_on_other_features_fails(artifact):
    reordered = json.loads((artifact / "transform.json").read_text())
    names = reordered["feature_names"]
    names[0], names[1] = names[1], names[0]
    _edit_json(artifact / "transform.json", feature_names=names)
    _edit_json(artifact / "model-info.json", feature_names=names)

    with pytest.raises(ModelLoadError, match="the booster was trained on"):
        load_model(str(artifact))


@pytest.mark.parametrize("changes, message", [
    ({"schema_version": 2}, "schema_version"),
    ({"numeric": {}}, "exactly one of numeric/categorical"),
    ({"categorical": {"sex": []}}, "categorical.sex"),
])
def test_malformed_transform_fails_naming_the_problem(artifact, changes, message):
    _edit_json(artifact / "transform.json", **changes)

    with pytest.raises(ModelLoadError, match=message):
        load_model(str(artifact))


def test_zero_std_in_transform_fails(artifact):
    doc = json.loads((artifact / "transform.json").read_text())
    doc["numeric"]["length"]["std"] = 0
    (artifact / "transform.json").write_text(json.dumps(doc))

    with pytest.raises(ModelLoadError, match=r"numeric.length.std must be > 0"):
        load_model(str(artifact))


@pytest.mark.parametrize("package", [{"packageArn": "arn"}, {"packageArn": "arn", "version": "1"}, ["arn", 1]])
def test_malformed_model_package_fails(artifact, package):
    (artifact / "model-package.json").write_text(json.dumps(package))

    with pytest.raises(ModelLoadError, match="model-package.json"):
        load_model(str(artifact))


def test_pickled_or_path_like_model_file_is_refused(artifact):
    _edit_json(artifact / "model-info.json", model_file="../xgboost-model.json")
    with pytest.raises(ModelLoadError, match="plain file name"):
        load_model(str(artifact))

    _edit_json(artifact / "model-info.json", model_file="model.pkl")
    with pytest.raises(ModelLoadError, match="never a pickle"):
        load_model(str(artifact))


def test_corrupt_model_file_fails_with_xgboost_message(artifact):
    (artifact / "xgboost-model.json").write_text('{"learner": ')

    with pytest.raises(ModelLoadError, match="xgboost could not load"):
        load_model(str(artifact))


def test_artifact_file_that_is_not_json_fails(artifact):
    (artifact / "transform.json").write_text("not json")

    with pytest.raises(ModelLoadError, match="not valid JSON"):
        load_model(str(artifact))
