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


def test_model_fn_loads_the_artifact_once_into_booster_and_transform(loaded_model, transform_doc):
    assert loaded_model.booster.num_features() == len(transform_doc["feature_names"])
    assert loaded_model.transform.feature_names == tuple(transform_doc["feature_names"])
    assert loaded_model.validator.fields == tuple(transform_doc["input_fields"])


def test_a_model_trained_by_another_xgboost_version_is_refused(artifact_copy):
    _edit_info(artifact_copy, xgboost_version="1.7.6")
    with pytest.raises(inference.ModelArtifactError, match="trained with xgboost '1.7.6'"):
        inference.model_fn(str(artifact_copy))


@pytest.mark.parametrize("key", [None, "transform_file", "model_file"])
def test_a_missing_artifact_file_is_named(artifact_copy, key):
    missing = "model-info.json" if key is None else json.loads((artifact_copy / "model-info.json").read_text())[key]
    (artifact_copy / missing).unlink()
    with pytest.raises(inference.ModelArtifactError, match=missing):
        inference.model_fn(str(artifact_copy))


def test_a_model_file_path_outside_the_artifact_is_refused(artifact_copy):
    _edit_info(artifact_copy, model_file="../elsewhere/xgboost-model.json")
    with pytest.raises(inference.ModelArtifactError, match="model_file"):
        inference.model_fn(str(artifact_copy))


def test_feature_names_that_disagree_with_the_transform_are_refused(artifact_copy, transform_doc):
    _edit_info(artifact_copy, feature_names=list(reversed(transform_doc["feature_names"])) + ["an_extra_feature"])
    with pytest.raises(inference.ModelArtifactError, match="feature_names"):
        inference.model_fn(str(artifact_copy))
