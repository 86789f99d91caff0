"""evaluate.py: RMSE and MSE on the test split, in the layout the condition step reads."""

from __future__ import annotations

import json
import tarfile

import numpy as np
import pytest

from conftest import run_script
from pipelines.abalone import evaluate, preprocess
from pipelines.abalone.pipeline import DEFAULT_MSE_THRESHOLD, MAX_TEST_RMSE


@pytest.fixture(scope="module")
def evaluation(model_archive, preprocessed, tmp_path_factory):
    out = tmp_path_factory.mktemp("evaluation")
    evaluate.main(["--model", str(model_archive), "--test-dir", str(preprocessed / "test"), "--output-dir", str(out)])
    return json.loads((out / "evaluation.json").read_text())


def test_regression_metrics_are_mse_and_its_square_root():
    metrics = evaluate.regression_metrics(np.array([1.0, 2.0, 3.0]), np.array([2.0, 2.0, 5.0]))["regression_metrics"]
    assert metrics["mse"]["value"] == pytest.approx(5 / 3)
    assert metrics["rmse"]["value"] == pytest.approx((5 / 3) ** 0.5)
    assert metrics["mae"]["value"] == pytest.approx(1.0)


def test_evaluation_json_has_mse_where_the_pipeline_condition_reads_it(evaluation):
    from pipelines.abalone.pipeline import MSE_JSON_PATH

    value = evaluation
    for key in MSE_JSON_PATH.split("."):
        value = value[key]
    assert value == pytest.approx(evaluation["regression_metrics"]["rmse"]["value"] ** 2)


def test_default_hyperparameters_reach_the_quality_bar_on_the_test_split(evaluation, capsys):
    rmse = evaluation["regression_metrics"]["rmse"]["value"]
    with capsys.disabled():
        print(f"\ntest-split RMSE with default hyperparameters: {rmse:.4f} rings (bar: {MAX_TEST_RMSE})")
    assert rmse <= MAX_TEST_RMSE


def test_the_test_bar_and_the_registration_threshold_are_one_configured_value():
    assert DEFAULT_MSE_THRESHOLD == pytest.approx(MAX_TEST_RMSE**2)


def test_an_archive_packed_with_dot_slash_member_names_evaluates_the_same(model_dir, model_archive, preprocessed, tmp_path):
    """`tar czf model.tar.gz -C model .` names the members ./model-info.json and so on, after a "." entry."""
    dotted = tmp_path / "model.tar.gz"
    with tarfile.open(dotted, "w:gz") as tar:
        tar.add(model_dir, arcname=".")
    with tarfile.open(dotted) as tar:
        assert "./model-info.json" in tar.getnames() and "model-info.json" not in tar.getnames()
    plain = evaluate.evaluate(model_archive, preprocessed / "test", tmp_path / "plain")
    assert evaluate.evaluate(dotted, preprocessed / "test", tmp_path / "dotted") == plain


def test_model_info_naming_a_missing_model_file_is_rejected_with_its_name(tmp_path):
    archive = tmp_path / "model.tar.gz"
    (tmp_path / "model-info.json").write_text('{"model_file": "booster.json"}')
    with tarfile.open(archive, "w:gz") as tar:
        tar.add(tmp_path / "model-info.json", arcname="./model-info.json")
    with pytest.raises(ValueError, match="model-info.json names booster.json, which is missing"):
        evaluate.load_model(archive)


def test_archive_without_model_info_is_rejected_with_a_reason(tmp_path):
    archive = tmp_path / "model.tar.gz"
    (tmp_path / "xgboost-model.json").write_text("{}")
    with tarfile.open(archive, "w:gz") as tar:
        tar.add(tmp_path / "xgboost-model.json", arcname="xgboost-model.json")
    with pytest.raises(ValueError, match="no model-info.json"):
        evaluate.load_model(archive)


# --- bad inputs: one readable line naming the problem, no traceback.


def test_missing_model_archive_is_named_without_a_traceback(tmp_path, preprocessed):
    result = run_script("evaluate.py", "--model", str(tmp_path / "model.tar.gz"), "--test-dir", str(preprocessed / "test"),
                        "--output-dir", str(tmp_path / "out"))
    assert result.returncode == 1
    assert "Traceback" not in result.stderr
    assert f"evaluate: bad input: {tmp_path / 'model.tar.gz'}: model archive not found" in result.stderr


def test_an_archive_that_is_not_a_tarball_is_named_as_such(tmp_path, preprocessed):
    (tmp_path / "model.tar.gz").write_text("not a tarball")
    with pytest.raises(SystemExit, match="not a gzipped tar archive"):
        evaluate.main(["--model", str(tmp_path / "model.tar.gz"), "--test-dir", str(preprocessed / "test"),
                       "--output-dir", str(tmp_path / "out")])


def test_test_rows_with_the_wrong_feature_count_are_rejected(tmp_path, model_archive):
    (tmp_path / "test").mkdir()
    (tmp_path / "test" / "test.csv").write_text("9,0.1,0.2\n")
    expected = len(preprocess.feature_names(preprocess.FEATURES))
    with pytest.raises(SystemExit, match=f"rows have 2 features, the model expects {expected}"):
        evaluate.main(["--model", str(model_archive), "--test-dir", str(tmp_path / "test"), "--output-dir", str(tmp_path / "out")])
