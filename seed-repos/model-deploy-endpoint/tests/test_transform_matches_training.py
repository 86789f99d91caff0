import json

import numpy as np
import pytest

from abalone_transform import TransformFileError, parse_transform
from conftest import training_features


def test_serving_features_equal_training_features_bit_for_bit(model_dir, sample_rows):
    doc = json.loads((model_dir / "transform.json").read_text())
    serving = parse_transform(doc).features(sample_rows)
    training = training_features(sample_rows, doc)
    assert serving.dtype == np.float32
    np.testing.assert_array_equal(serving, training)


def test_feature_columns_follow_feature_names_order(model_dir):
    doc = json.loads((model_dir / "transform.json").read_text())
    doc["feature_names"] = ["sex_M"] + [n for n in doc["feature_names"] if n != "sex_M"]
    features = parse_transform(doc).features([{"sex": "M", **{f: doc["numeric"][f]["mean"] for f in doc["numeric"]}}])
    assert features[0].tolist() == [1.0] + [0.0] * 9


@pytest.mark.parametrize("mutate, message", [
    (lambda d: d.update(schema_version=2), "schema_version"),
    (lambda d: d["numeric"]["length"].update(std=0), "numeric.length.std"),
    (lambda d: d["numeric"]["height"].update(mean="x"), "numeric.height.mean"),
    (lambda d: d["categorical"].update(sex=[]), "categorical.sex"),
    (lambda d: d["feature_names"].pop(), "feature_names"),
    (lambda d: d["input_fields"].append("age"), "exactly one of numeric/categorical"),
])
def test_a_broken_transform_file_is_refused_naming_the_key(model_dir, mutate, message):
    doc = json.loads((model_dir / "transform.json").read_text())
    mutate(doc)
    with pytest.raises(TransformFileError, match=message):
        parse_transform(doc)
