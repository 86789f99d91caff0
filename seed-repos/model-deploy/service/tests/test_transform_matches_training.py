"""The serving-time transform (app/transform.py, read from transform.json) must
produce exactly the features the model was trained on (scripts/train_local_model.py)."""

from __future__ import annotations

import json
import os

import numpy as np

import train_local_model
from app.transform import parse_transform
from app.validation import InstanceValidator

INPUT_FIELDS = ["sex", "length", "diameter", "height", "whole_weight", "shucked_weight", "viscera_weight", "shell_weight"]


def _requests_from(records: list[dict]) -> dict:
    return {"instances": [{field: record[field] for field in INPUT_FIELDS} for record in records]}


def _serving_transform(model_dir: str):
    with open(os.path.join(model_dir, "transform.json")) as handle:
        return parse_transform(json.load(handle))


def test_serving_features_equal_training_features_on_every_sample_row(model_dir, sample_records):
    transform_doc = json.load(open(os.path.join(model_dir, "transform.json")))
    expected = train_local_model.training_features(sample_records, transform_doc)
    validator = InstanceValidator(_serving_transform(model_dir), max_records=len(sample_records))

    served = validator.features(_requests_from(sample_records))

    assert served.dtype == np.float32
    np.testing.assert_array_equal(served, expected)


def test_slow_validation_path_builds_the_same_features_as_the_fast_path(model_dir, sample_records):
    validator = InstanceValidator(_serving_transform(model_dir), max_records=len(sample_records))
    instances = validator.instances(_requests_from(sample_records))

    fast = validator.transform.apply(*validator._fast(instances))
    slow = validator.transform.apply(*validator._slow(instances))

    np.testing.assert_array_equal(fast, slow)


def test_reference_transform_agrees_with_training_features(model_dir, sample_records):
    transform_doc = json.load(open(os.path.join(model_dir, "transform.json")))
    rows = sample_records[:25]

    reference = _serving_transform(model_dir).apply_records(rows)

    np.testing.assert_array_equal(reference, train_local_model.training_features(rows, transform_doc))


def test_feature_columns_follow_feature_names_order_not_input_order(model_dir):
    transform_doc = json.load(open(os.path.join(model_dir, "transform.json")))
    transform = parse_transform(transform_doc)
    record = {"sex": "F", "length": 0.5, "diameter": 0.4, "height": 0.1, "whole_weight": 0.6,
              "shucked_weight": 0.25, "viscera_weight": 0.12, "shell_weight": 0.2}

    features = InstanceValidator(transform, 1).features({"instances": [record]})[0]

    names = transform_doc["feature_names"]
    assert features[names.index("sex_F")] == 1.0
    assert features[names.index("sex_I")] == 0.0 and features[names.index("sex_M")] == 0.0
    stats = transform_doc["numeric"]["height"]
    assert features[names.index("height")] == np.float32((0.1 - stats["mean"]) / stats["std"])
