"""A missing, malformed or mismatched model artifact stops the service at init with a clear message."""

from __future__ import annotations

import json
import os
import shutil

import numpy as np
import pytest
import xgboost

from app.errors import RequestError
from app.model import ModelLoadError, load_model
from app.validation import InstanceValidator
from model_under_test import CATEGORICAL_FIELDS, NUMERIC_FIELDS, VALID_RECORD


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
    assert model.booster.config()["learner"]["generic_param"]["nthread"] == "2"


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


def test_a_version_1_transform_fails_saying_to_retrain_with_the_current_model_build(artifact):
    _edit_json(artifact / "transform.json", schema_version=1)

    with pytest.raises(ModelLoadError, match=r"schema_version is 1; this service reads version 2 .*retrain the model with the "
                                             r"current ModelBuild pipeline"):
        load_model(str(artifact))


NUMERIC, CATEGORICAL = NUMERIC_FIELDS[0], (CATEGORICAL_FIELDS or [None])[0]


def _numeric(doc, **changes):
    doc["numeric"][NUMERIC].update(changes)


def _example(doc, **changes):
    doc["examples"][0].update(changes)


# (id, edit of the transform.json document, what the message must say)
MALFORMED_TRANSFORMS = [
    ("no_numeric_entries", lambda d: d.update(numeric={}), "exactly one of numeric/categorical"),
    ("minimum_above_maximum", lambda d: _numeric(d, minimum=d["numeric"][NUMERIC]["maximum"] + 1),
     rf"numeric.{NUMERIC}: minimum .* is above maximum"),
    ("maximum_missing", lambda d: d["numeric"][NUMERIC].pop("maximum"), rf"numeric.{NUMERIC}.maximum must be a finite number"),
    ("minimum_not_a_number", lambda d: _numeric(d, minimum="0"), rf"numeric.{NUMERIC}.minimum must be a finite number"),
    ("maximum_nan", lambda d: _numeric(d, maximum=float("nan")), rf"numeric.{NUMERIC}.maximum must be a finite number"),
    ("maximum_huge_integer", lambda d: _numeric(d, maximum=10 ** 400), rf"numeric.{NUMERIC}.maximum must be a finite number"),
    ("observed_range_reversed", lambda d: _numeric(d, observed_minimum=d["numeric"][NUMERIC]["observed_maximum"] + 1),
     rf"numeric.{NUMERIC}: observed_minimum .* is above observed_maximum"),
    ("observed_maximum_missing", lambda d: d["numeric"][NUMERIC].pop("observed_maximum"),
     rf"numeric.{NUMERIC}.observed_maximum must be a finite number"),
    ("examples_missing", lambda d: d.pop("examples"), "lacks 'examples'"),
    ("examples_empty", lambda d: d.update(examples=[]), "examples must be a non-empty list"),
    ("example_not_an_object", lambda d: d["examples"].append([1, 2]), "examples must be a non-empty list of records"),
    ("example_missing_a_field", lambda d: d["examples"][0].pop(NUMERIC),
     rf"examples\[0\] must have exactly the input fields .*missing \['{NUMERIC}'\]"),
    ("example_with_the_label", lambda d: _example(d, **{d.get("target") or "label": 1}), r"examples\[0\] .*extra \["),
    ("example_out_of_range", lambda d: _example(d, **{NUMERIC: d["numeric"][NUMERIC]["maximum"] * 2 + 1}),
     rf"examples\[0\].{NUMERIC} is .*; it must be a number between"),
    ("example_number_as_text", lambda d: _example(d, **{NUMERIC: "0.5"}), rf"examples\[0\].{NUMERIC} is '0.5'"),
    ("example_boolean", lambda d: _example(d, **{NUMERIC: True}), rf"examples\[0\].{NUMERIC} is True"),
    ("target_is_an_input_field", lambda d: d.update(target=d["input_fields"][0]), "target must be a string that is not an input"),
]
if CATEGORICAL is not None:
    MALFORMED_TRANSFORMS += [
        ("no_categories", lambda d: d["categorical"].update({CATEGORICAL: []}), f"categorical.{CATEGORICAL}"),
        ("example_unknown_category", lambda d: _example(d, **{CATEGORICAL: "no such category"}),
         rf"examples\[0\].{CATEGORICAL} is 'no such category'; it must be one of"),
    ]


@pytest.mark.parametrize("edit, message", [(e, m) for _, e, m in MALFORMED_TRANSFORMS], ids=[i for i, _, _ in MALFORMED_TRANSFORMS])
def test_malformed_transform_fails_naming_the_problem(artifact, edit, message):
    doc = json.loads((artifact / "transform.json").read_text())
    edit(doc)
    (artifact / "transform.json").write_text(json.dumps(doc))

    with pytest.raises(ModelLoadError, match=message):
        load_model(str(artifact))


def test_the_accepted_range_is_the_one_in_the_artifact(artifact):
    doc = json.loads((artifact / "transform.json").read_text())
    value = max(e[NUMERIC] for e in doc["examples"])  # every example stays valid
    _numeric(doc, maximum=value)
    (artifact / "transform.json").write_text(json.dumps(doc))
    record = dict(VALID_RECORD, **{NUMERIC: value})
    validator = InstanceValidator(load_model(str(artifact)).transform, max_records=1)

    validator.features({"instances": [record]})
    with pytest.raises(RequestError, match=rf"between .* and {value:g}") as refused:
        validator.features({"instances": [dict(record, **{NUMERIC: float(np.nextafter(value, np.inf))})]})
    assert refused.value.code == "out_of_range"


def test_zero_std_in_transform_fails(artifact):
    doc = json.loads((artifact / "transform.json").read_text())
    doc["numeric"][NUMERIC]["std"] = 0
    (artifact / "transform.json").write_text(json.dumps(doc))

    with pytest.raises(ModelLoadError, match=rf"numeric.{NUMERIC}.std must be > 0"):
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
