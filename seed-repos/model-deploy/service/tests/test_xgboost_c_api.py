"""app/xgboost_c_api.py: the Booster through xgboost's C library gives exactly what xgboost's Python package gives."""

from __future__ import annotations

import json
import os
import subprocess
import sys

import numpy as np
import pytest
import xgboost

import train_local_model
from app import xgboost_c_api

SERVICE_DIR = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


@pytest.fixture(scope="module")
def boosters_and_features(model_dir, model_records):
    transform_doc = json.load(open(os.path.join(model_dir, "transform.json")))
    model_file = os.path.join(model_dir, "xgboost-model.json")
    python_booster = xgboost.Booster(model_file=model_file)
    python_booster.set_param({"nthread": 1})
    # The model's own records, plus 2,000 random standardized rows (any artifact: MODEL_ARTIFACT may have other fields).
    served = train_local_model.training_features(model_records, transform_doc)
    rng = np.random.default_rng(20261202)
    random_rows = rng.normal(0.0, 1.5, size=(2000, served.shape[1])).astype(np.float32)
    return python_booster, xgboost_c_api.Booster(model_file, 1), np.ascontiguousarray(np.vstack([served, random_rows]))


def test_batch_predictions_are_bit_identical_to_inplace_predict(boosters_and_features):
    python_booster, booster, features = boosters_and_features
    expected = python_booster.inplace_predict(features, validate_features=False)

    got = booster.predict(features)

    assert got.dtype == np.float32 and got.shape == expected.shape
    np.testing.assert_array_equal(got, expected)


def test_every_single_row_prediction_is_bit_identical_to_inplace_predict(boosters_and_features):
    python_booster, booster, features = boosters_and_features
    for i in range(features.shape[0]):
        row = features[i:i + 1]
        assert booster.predict(row).tolist() == python_booster.inplace_predict(row, validate_features=False).tolist(), f"row {i}"


def test_read_only_strided_and_float64_inputs_predict_like_inplace_predict(boosters_and_features):
    python_booster, booster, features = boosters_and_features
    expected = python_booster.inplace_predict(features[::2], validate_features=False)
    read_only = np.frombuffer(features[::2].tobytes(), dtype=np.float32).reshape(expected.shape[0], -1)

    for variant in (read_only, features[::2], features[::2].astype(np.float64)):
        np.testing.assert_array_equal(booster.predict(variant), expected)


def test_result_is_a_copy_that_the_next_prediction_does_not_overwrite(boosters_and_features):
    _, booster, features = boosters_and_features
    first = booster.predict(features[:3])
    kept = first.copy()

    booster.predict(features[3:6])

    np.testing.assert_array_equal(first, kept)


def test_feature_count_names_and_configuration_are_the_python_packages(boosters_and_features):
    python_booster, booster, _ = boosters_and_features

    assert booster.num_features() == python_booster.num_features()
    assert booster.feature_names() == python_booster.feature_names
    assert booster.config() == json.loads(python_booster.save_config())
    assert booster.config()["learner"]["generic_param"]["nthread"] == "1"


def test_version_is_the_one_the_python_package_reports():
    assert xgboost_c_api.VERSION == xgboost.__version__


def test_a_wrong_feature_count_raises_xgboosts_own_message(boosters_and_features):
    _, booster, features = boosters_and_features

    with pytest.raises(xgboost_c_api.XGBoostError, match="[Ff]eature"):
        booster.predict(features[:, :-1].copy())


def test_a_model_file_that_is_not_a_model_raises_xgboosts_own_message(tmp_path):
    bad = tmp_path / "xgboost-model.json"
    bad.write_text('{"learner": 1}')

    with pytest.raises(xgboost_c_api.XGBoostError) as raised:
        xgboost_c_api.Booster(str(bad), 1)
    assert str(raised.value).strip()


def test_an_array_that_is_not_rows_by_features_is_refused_naming_its_shape(boosters_and_features):
    _, booster, features = boosters_and_features

    with pytest.raises(ValueError, match=r"2-D .*\(1, 2, 4\)"):
        booster.predict(features[:1, :8].reshape(1, 2, 4))


def test_xgboosts_warnings_reach_stderr_without_its_python_package(model_dir):
    # Lambda sends stderr to the log group; here no xgboost package is imported, so no Python log callback exists.
    code = ("import sys; from app import xgboost_c_api as x; import numpy as np\n"
            f"b = x.Booster({os.path.join(model_dir, 'xgboost-model.json')!r}, 1)\n"
            "x._check(x._LIB.XGBoosterSetParam(b._handle, b'not_a_parameter', b'1'))\n"
            "b.predict(np.zeros((1, b.num_features()), dtype=np.float32))\n"
            "assert not any(m.split('.')[0] == 'xgboost' for m in sys.modules)\n")
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=SERVICE_DIR, timeout=60)

    assert result.returncode == 0, result.stderr
    assert "not_a_parameter" in result.stderr and "WARNING" in result.stderr
