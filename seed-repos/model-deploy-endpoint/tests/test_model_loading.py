import json
import shutil

import pytest

import inference


@pytest.fixture
def artifact_copy(model_dir, tmp_path):
    target = tmp_path / "model"
    shutil.copytree(model_dir, target)
    return target


def _edit_info(directory, **changes):
    info = json.loads((directory / "model-info.json").read_text())
    info.update(changes)
    (directory / "model-info.json").write_text(json.dumps(info))


def test_model_fn_loads_the_artifact_once_into_booster_and_transform(loaded_model):
    assert loaded_model.booster.num_features() == 10
    assert loaded_model.transform.feature_names[-3:] == ("sex_F", "sex_I", "sex_M")


def test_a_model_trained_by_another_xgboost_version_is_refused(artifact_copy):
    _edit_info(artifact_copy, xgboost_version="1.7.6")
    with pytest.raises(inference.ModelArtifactError, match="trained with xgboost '1.7.6'"):
        inference.model_fn(str(artifact_copy))


@pytest.mark.parametrize("missing", ["model-info.json", "transform.json", "xgboost-model.json"])
def test_a_missing_artifact_file_is_named(artifact_copy, missing):
    (artifact_copy / missing).unlink()
    with pytest.raises(inference.ModelArtifactError, match=missing):
        inference.model_fn(str(artifact_copy))


def test_a_model_file_path_outside_the_artifact_is_refused(artifact_copy):
    _edit_info(artifact_copy, model_file="../elsewhere/xgboost-model.json")
    with pytest.raises(inference.ModelArtifactError, match="model_file"):
        inference.model_fn(str(artifact_copy))


def test_feature_names_that_disagree_with_the_transform_are_refused(artifact_copy):
    _edit_info(artifact_copy, feature_names=["a"] * 10)
    with pytest.raises(inference.ModelArtifactError, match="feature_names"):
        inference.model_fn(str(artifact_copy))
