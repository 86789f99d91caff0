"""transform.py: the input contract read from transform.json, and the training-time transform."""

import copy
import json
import shutil

import numpy as np
import pytest

import inference
from conftest import contract
from contract_records import synthesised, training_features
from request import RequestValidator
from transform import TransformFileError, parse_transform

NUMERIC = contract().numeric_fields
FIRST_NUMERIC = NUMERIC[0] if NUMERIC else None
FIRST_FIELD = contract().input_fields[0]


def test_serving_features_equal_training_features_bit_for_bit(transform_doc):
    records = synthesised(parse_transform(transform_doc), 300, seed=4)
    serving = parse_transform(transform_doc).features(records)
    training = training_features(records, transform_doc)
    assert serving.dtype == np.float32
    np.testing.assert_array_equal(serving, training)


def test_feature_columns_follow_feature_names_order(transform_doc):
    doc = copy.deepcopy(transform_doc)
    last = doc["feature_names"][-1]
    doc["feature_names"] = [last] + doc["feature_names"][:-1]
    moved = parse_transform(doc)
    example = moved.examples[0]
    original = parse_transform(transform_doc).features([example])[0].tolist()
    assert moved.features([example])[0].tolist() == [original[-1]] + original[:-1]


def test_the_contract_is_read_from_the_file_as_written(transform_doc):
    parsed = parse_transform(transform_doc)
    assert parsed.input_fields == tuple(transform_doc["input_fields"])
    assert dict(parsed.categories) == {f: tuple(v) for f, v in transform_doc["categorical"].items()}
    assert dict(parsed.bounds) == {f: (s["minimum"], s["maximum"]) for f, s in transform_doc["numeric"].items()}
    assert list(parsed.examples) == transform_doc["examples"]


def _numeric(doc, key, value):
    doc["numeric"][FIRST_NUMERIC][key] = value


BROKEN = [
    ("schema version 1", lambda d: d.update(schema_version=1),
     "schema_version is 1; this deploy code reads 2 only: retrain and register the model with the current ModelBuild"),
    ("no schema version", lambda d: d.pop("schema_version"), "schema_version is None"),
    ("no target", lambda d: d.pop("target"), "target must be"),
    ("input field repeated", lambda d: d["input_fields"].append(FIRST_FIELD), "input_fields must be"),
    ("input field without a kind", lambda d: d["input_fields"].append("an_unknown_field"), "exactly one of numeric/categorical"),
    ("feature name missing", lambda d: d["feature_names"].pop(), "feature_names"),
    ("no examples", lambda d: d.update(examples=[]), "examples must be a non-empty list"),
    ("example not an object", lambda d: d["examples"].append([1, 2]), "examples must be a non-empty list"),
]
if FIRST_NUMERIC:
    BROKEN += [
        ("zero std", lambda d: _numeric(d, "std", 0), f"numeric.{FIRST_NUMERIC}.std must be > 0"),
        ("mean not a number", lambda d: _numeric(d, "mean", "x"), f"numeric.{FIRST_NUMERIC}.mean must be a finite number"),
        ("no maximum", lambda d: d["numeric"][FIRST_NUMERIC].pop("maximum"), f"numeric.{FIRST_NUMERIC}.maximum must be"),
        ("infinite minimum", lambda d: _numeric(d, "minimum", float("-inf")), f"numeric.{FIRST_NUMERIC}.minimum must be a finite"),
        ("minimum above maximum",
         lambda d: d["numeric"][FIRST_NUMERIC].update(minimum=d["numeric"][FIRST_NUMERIC]["maximum"] + 1),
         f"numeric.{FIRST_NUMERIC}: minimum"),
        ("observed range outside the accepted range",
         lambda d: _numeric(d, "observed_maximum", d["numeric"][FIRST_NUMERIC]["maximum"] + 1),
         f"numeric.{FIRST_NUMERIC}: the observed range"),
    ]
for _field, _values in contract().categories.items():
    BROKEN.append(("categories empty", lambda d, f=_field: d["categorical"].update({f: []}), f"categorical.{_field} must be"))
    break


@pytest.mark.parametrize("mutate, message", [c[1:] for c in BROKEN], ids=[c[0] for c in BROKEN])
def test_a_broken_transform_file_is_refused_naming_the_key(transform_doc, mutate, message):
    doc = copy.deepcopy(transform_doc)
    mutate(doc)
    with pytest.raises(TransformFileError, match="^transform.json: ") as error:
        parse_transform(doc)
    assert message in str(error.value)


def _example_cases():
    fields, categories, bounds = contract().input_fields, contract().categories, contract().bounds
    cases = [("example missing a field", lambda e: e.pop(fields[-1]), f"examples[0].{fields[-1]}: missing"),
             ("example with an extra field", lambda e: e.update(an_extra_field=1), "examples[0].an_extra_field: unknown field")]
    for field, (_, high) in list(bounds.items())[:1]:
        cases.append(("example out of range", lambda e, f=field, h=high: e.update({f: h + abs(h) + 1}),
                      f"examples[0].{field}: "))
    for field in list(categories)[:1]:
        cases.append(("example with an unknown category", lambda e, f=field: e.update({f: 7}), f"examples[0].{field}: must be a string"))
    return cases


@pytest.mark.parametrize("mutate, message", [c[1:] for c in _example_cases()], ids=[c[0] for c in _example_cases()])
def test_an_example_the_contract_itself_refuses_stops_the_model_from_loading(transform_doc, mutate, message):
    doc = copy.deepcopy(transform_doc)
    mutate(doc["examples"][0])
    with pytest.raises(TransformFileError, match="^transform.json: ") as error:
        RequestValidator(parse_transform(doc))
    assert message in str(error.value)


def test_model_fn_refuses_a_version_1_transform_with_a_message_to_retrain(model_dir, transform_doc, tmp_path):
    shutil.copytree(model_dir, tmp_path / "model")
    name = json.loads((model_dir / inference.MODEL_INFO_FILE).read_text())["transform_file"]
    (tmp_path / "model" / name).write_text(json.dumps({**transform_doc, "schema_version": 1}))
    with pytest.raises(TransformFileError, match="retrain and register the model with the current ModelBuild"):
        inference.model_fn(str(tmp_path / "model"))
