"""app/predictor.py gives exactly Booster.inplace_predict's predictions, for one row and for a batch."""

from __future__ import annotations

import json
import os

import numpy as np
import pytest
import xgboost

import train_local_model
from app.predictor import DensePredictor


@pytest.fixture(scope="module")
def booster_and_features(model_dir, model_records):
    transform_doc = json.load(open(os.path.join(model_dir, "transform.json")))
    booster = xgboost.Booster(model_file=os.path.join(model_dir, "xgboost-model.json"))
    booster.set_param({"nthread": 1})
    # The model's own records, plus 2,000 random standardized rows (any artifact: MODEL_ARTIFACT may have other fields).
    served = train_local_model.training_features(model_records, transform_doc)
    rng = np.random.default_rng(20261202)
    random_rows = rng.normal(0.0, 1.5, size=(2000, served.shape[1])).astype(np.float32)
    return booster, np.ascontiguousarray(np.vstack([served, random_rows]))


def test_batch_predictions_are_bit_identical_to_inplace_predict(booster_and_features):
    booster, features = booster_and_features
    expected = booster.inplace_predict(features, validate_features=False)

    got = DensePredictor(booster).predict(features)

    assert got.dtype == np.float32 and got.shape == expected.shape
    np.testing.assert_array_equal(got, expected)


def test_every_single_row_prediction_is_bit_identical_to_inplace_predict(booster_and_features):
    booster, features = booster_and_features
    predictor = DensePredictor(booster)
    for i in range(features.shape[0]):
        row = features[i:i + 1]
        assert predictor.predict(row).tolist() == booster.inplace_predict(row, validate_features=False).tolist(), f"row {i}"


def test_read_only_strided_and_float64_inputs_predict_like_inplace_predict(booster_and_features):
    booster, features = booster_and_features
    expected = booster.inplace_predict(features[::2], validate_features=False)
    predictor = DensePredictor(booster)
    read_only = np.frombuffer(features[::2].tobytes(), dtype=np.float32).reshape(expected.shape[0], -1)

    for variant in (read_only, features[::2], features[::2].astype(np.float64)):
        np.testing.assert_array_equal(predictor.predict(variant), expected)


def test_result_is_a_copy_that_the_next_prediction_does_not_overwrite(booster_and_features):
    booster, features = booster_and_features
    predictor = DensePredictor(booster)
    first = predictor.predict(features[:3])
    kept = first.copy()

    predictor.predict(features[3:6])

    np.testing.assert_array_equal(first, kept)


def test_a_wrong_feature_count_raises_xgboosts_error(booster_and_features):
    booster, features = booster_and_features

    with pytest.raises(xgboost.core.XGBoostError):
        DensePredictor(booster).predict(features[:, :-1].copy())
