"""train.py: run locally on the preprocessed data, it writes the model artifact of the contract."""

from __future__ import annotations

import json
import tarfile

import numpy as np
import pytest
import xgboost as xgb

from conftest import run_script
from pipelines.abalone import train

CONTRACT_FILES = {"xgboost-model.json", "transform.json", "model-info.json"}


def test_model_dir_holds_exactly_model_transform_and_model_info(model_dir):
    assert {path.name for path in model_dir.iterdir()} == CONTRACT_FILES


def test_transform_is_copied_verbatim(model_dir, preprocessed):
    assert (model_dir / "transform.json").read_bytes() == (preprocessed / "transform" / "transform.json").read_bytes()


def test_model_info_names_the_files_features_and_training_xgboost(model_dir):
    info = json.loads((model_dir / "model-info.json").read_text())
    transform = json.loads((model_dir / "transform.json").read_text())
    assert info == {
        "xgboost_version": xgb.__version__,
        "model_file": "xgboost-model.json",
        "transform_file": "transform.json",
        "feature_names": transform["feature_names"],
    }
    assert xgb.__version__ == "3.0.5"  # the SageMaker XGBoost 3.0-5 container's version


def test_model_is_xgboost_json_not_pickle(model_dir):
    document = json.loads((model_dir / "xgboost-model.json").read_text())
    assert "learner" in document
    booster = xgb.Booster()
    booster.load_model(str(model_dir / "xgboost-model.json"))
    assert booster.feature_names == json.loads((model_dir / "transform.json").read_text())["feature_names"]


def test_saved_model_predicts_with_all_its_trees_as_a_reader_would(model_dir, preprocessed):
    """Trimmed to the best iteration at save time, so no reader needs to know about early stopping."""
    booster = xgb.Booster()
    booster.load_model(str(model_dir / "xgboost-model.json"))
    validation = np.loadtxt(preprocessed / "validation" / "validation.csv", delimiter=",")
    features = validation[:, 1:].astype(np.float32)
    all_trees = booster.inplace_predict(features)
    assert booster.num_boosted_rounds() < train.DEFAULT_HYPERPARAMETERS["num_round"]
    np.testing.assert_array_equal(all_trees, booster.inplace_predict(features, iteration_range=(0, booster.num_boosted_rounds())))


def test_hyperparameters_passed_as_sagemaker_passes_them_override_the_defaults():
    # sagemaker_containers' to_cmd_args: each estimator hyperparameter as --name value, sagemaker_* ones never.
    args = train.parse_args(["--max_depth", "3", "--eta", "0.05"])
    assert args.max_depth == 3 and args.eta == 0.05
    assert args.num_round == train.DEFAULT_HYPERPARAMETERS["num_round"]


@pytest.mark.parametrize("argv, named", [
    (["--max-depth", "4"], "--max-depth (did you mean --max_depth?)"),
    (["--max-depth=4"], "--max-depth (did you mean --max_depth?)"),
    (["--colsample_bytree", "0.5"], "--colsample_bytree;"),
    (["--sub", "0.5"], "--sub (did you mean --subsample?)"),
    (["--sagemaker_program", "train.py"], "--sagemaker_program"),
])
def test_an_unknown_or_misspelt_hyperparameter_stops_before_training_naming_it(argv, named, capsys):
    with pytest.raises(SystemExit) as exit_info:
        train.parse_args(argv)
    assert exit_info.value.code == 2
    (error,) = [line for line in capsys.readouterr().err.splitlines() if "error:" in line]
    assert f"error: unknown hyperparameter(s) or option(s): {named}" in error


def test_an_unknown_hyperparameter_as_a_script_is_one_line_and_trains_nothing(tmp_path, preprocessed):
    result = run_script("train.py", "--max-depth", "4", "--train", str(preprocessed / "train"),
                        "--validation", str(preprocessed / "validation"), "--transform", str(preprocessed / "transform"),
                        "--model-dir", str(tmp_path / "model"))
    assert result.returncode == 2
    assert "Traceback" not in result.stderr and "--max-depth (did you mean --max_depth?)" in result.stderr
    assert not (tmp_path / "model").exists()


def train_in_process(preprocessed, model_dir, *argv):
    return train.main(["--train", str(preprocessed / "train"), "--validation", str(preprocessed / "validation"),
                       "--transform", str(preprocessed / "transform"), "--model-dir", str(model_dir), *argv])


@pytest.fixture
def xgboost_train_calls(monkeypatch):
    """Calls of the real xgb.train: the params it got and the config of the booster it returned."""
    calls = []
    real_train = xgb.train

    def spy(params, *args, **kwargs):
        booster = real_train(params, *args, **kwargs)
        calls.append({"params": dict(params), "config": json.loads(booster.save_config())})
        return booster

    monkeypatch.setattr(xgb, "train", spy)
    return calls


def test_every_default_hyperparameter_but_the_loop_ones_reaches_xgboost(preprocessed, tmp_path, xgboost_train_calls):
    assert train_in_process(preprocessed, tmp_path / "model") == 0
    (call,) = xgboost_train_calls
    expected = {k: v for k, v in train.DEFAULT_HYPERPARAMETERS.items() if k not in ("num_round", "early_stopping_rounds")}
    assert call["params"] == {**expected, "eval_metric": "rmse"}


def test_a_key_added_to_the_defaults_reaches_xgboost_and_is_tunable(preprocessed, tmp_path, monkeypatch, xgboost_train_calls):
    monkeypatch.setitem(train.DEFAULT_HYPERPARAMETERS, "colsample_bytree", 0.5)
    assert train_in_process(preprocessed, tmp_path / "default") == 0
    assert train_in_process(preprocessed, tmp_path / "tuned", "--colsample_bytree", "0.8") == 0
    used = [float(call["config"]["learner"]["gradient_booster"]["tree_train_param"]["colsample_bytree"])
            for call in xgboost_train_calls]
    assert used == pytest.approx([0.5, 0.8])  # xgboost keeps float32


def test_a_default_xgboost_does_not_use_stops_training_naming_it(preprocessed, tmp_path, monkeypatch):
    monkeypatch.setitem(train.DEFAULT_HYPERPARAMETERS, "colsample_bytre", 0.5)
    with pytest.raises(SystemExit) as exit_info:
        train_in_process(preprocessed, tmp_path / "model")
    assert str(exit_info.value.code) == (
        "train: bad hyperparameter: xgboost does not use hyperparameter(s) colsample_bytre: "
        "misspelt or not an xgboost parameter")
    assert not (tmp_path / "model").exists()


def test_a_value_xgboost_refuses_is_one_line_naming_it(preprocessed, tmp_path, monkeypatch):
    monkeypatch.setitem(train.DEFAULT_HYPERPARAMETERS, "colsample_bytree", 1.0)
    with pytest.raises(SystemExit) as exit_info:
        train_in_process(preprocessed, tmp_path / "model", "--colsample_bytree", "1.5")
    assert str(exit_info.value.code) == (
        "train: bad hyperparameter: value 1.5 for Parameter colsample_bytree exceed bound [0,1]")


def test_the_eval_metric_is_fixed_because_early_stopping_reads_it():
    with pytest.raises(train.HyperparameterError, match="eval_metric is fixed to 'rmse'"):
        train.xgboost_params({**train.DEFAULT_HYPERPARAMETERS, "eval_metric": "mae"})


def test_a_hyperparameter_removed_from_the_defaults_is_not_range_checked(monkeypatch):
    monkeypatch.delitem(train.DEFAULT_HYPERPARAMETERS, "gamma")
    assert not hasattr(train.parse_args([]), "gamma")


def test_locations_default_to_the_sagemaker_environment(monkeypatch, tmp_path):
    monkeypatch.setenv("SM_MODEL_DIR", str(tmp_path / "model"))
    monkeypatch.setenv("SM_CHANNEL_TRAIN", str(tmp_path / "train"))
    args = train.parse_args([])
    assert args.model_dir == str(tmp_path / "model")
    assert args.train == str(tmp_path / "train")


def test_model_dir_packs_into_the_archive_layout_evaluate_expects(model_archive):
    with tarfile.open(model_archive) as archive:
        assert set(archive.getnames()) == CONTRACT_FILES


# --- bad arguments and inputs: one readable line naming the problem, no traceback.


@pytest.mark.parametrize("name, value", [("num_round", "0"), ("eta", "0"), ("eta", "1.5"), ("subsample", "0"),
                                         ("max_depth", "0"), ("early_stopping_rounds", "-1")])
def test_out_of_range_hyperparameters_stop_before_training_naming_the_argument(name, value, capsys):
    with pytest.raises(SystemExit):
        train.parse_args([f"--{name}", value])
    assert f"--{name} must be between" in capsys.readouterr().err


def test_missing_transform_channel_is_named_without_a_traceback(tmp_path, preprocessed):
    result = run_script("train.py", "--train", str(preprocessed / "train"), "--validation", str(preprocessed / "validation"),
                        "--transform", str(tmp_path / "empty"), "--model-dir", str(tmp_path / "model"))
    assert result.returncode == 1
    assert "Traceback" not in result.stderr
    assert f"train: bad input: {tmp_path / 'empty' / 'transform.json'}: missing" in result.stderr


def test_a_non_numeric_split_is_named_as_such(tmp_path, preprocessed):
    (tmp_path / "train").mkdir()
    (tmp_path / "train" / "train.csv").write_text("rings,sex\n9,M\n")
    with pytest.raises(SystemExit, match=r"train: bad input: .*train: not a numeric CSV written by preprocess.py"):
        train.main(["--train", str(tmp_path / "train"), "--validation", str(preprocessed / "validation"),
                    "--transform", str(preprocessed / "transform"), "--model-dir", str(tmp_path / "model")])
