"""A model trained with a feature fewer or a feature more deploys with no edit to this repository.

Each variant is trained from the sample by the local trainer (the same transform.json schema as
ModelBuild's) and served by the real model_fn and request path; the smoke test's requests are
made from its transform.json and answered as the smoke test expects. The variants come from the
sample's header: its last numeric input column dropped, or a column added (the product of the
first two numeric columns, as a derived feature would be).
"""

import csv
import json

import pytest

import inference
import input_contract
import local_model
import model_artifact
import smoke_test


def _variant(kind, rows, columns, numeric):
    target = columns[-1]
    if kind == "a numeric feature fewer":
        dropped = numeric[-1]
        return [c for c in columns if c != dropped], rows
    added = f"{numeric[0]}_times_{numeric[1]}"
    return columns[:-1] + [added, target], [{**r, added: str(float(r[numeric[0]]) * float(r[numeric[1]]))} for r in rows]


@pytest.fixture(scope="module", params=["a numeric feature fewer", "a numeric feature more"])
def variant(request, tmp_path_factory):
    with model_artifact.SAMPLE_CSV.open(newline="") as handle:
        reader = csv.DictReader(handle)
        columns, rows = list(reader.fieldnames), list(reader)
    _, _, categorical = local_model.read_sample(model_artifact.SAMPLE_CSV)
    numeric = [c for c in columns[:-1] if c not in categorical]
    columns, rows = _variant(request.param, rows, columns, numeric)
    directory = tmp_path_factory.mktemp("variant")
    with open(directory / "data.csv", "w", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=columns, extrasaction="ignore")
        writer.writeheader()
        writer.writerows(rows)
    model = inference.model_fn(str(local_model.write_artifact(directory / "model", directory / "data.csv")))
    return model, columns[:-1], json.loads((directory / "model" / "transform.json").read_text())


def test_the_served_model_takes_exactly_the_variants_fields(variant):
    model, fields, _ = variant
    assert model.validator.fields == tuple(fields)
    reply = inference.respond(model, json.dumps({"instances": list(model.transform.examples)}), "application/json", None)
    assert reply.status == 200 and len(json.loads(reply.body)["predictions"]) == len(model.transform.examples)


def test_a_request_of_the_other_field_set_is_refused_naming_the_field(variant, loaded_model):
    model, fields, _ = variant
    other = dict(loaded_model.transform.examples[0])
    reply = inference.respond(model, json.dumps({"instances": [other]}), "application/json", None)
    if set(other) == set(fields):  # MODEL_ARTIFACT may already be this variant
        assert reply.status == 200
    else:
        assert reply.status == 400 and "instances[0]." in json.loads(reply.body)["error"]


def test_the_smoke_tests_requests_for_the_variant_get_the_answers_it_expects(variant):
    model, _, doc = variant
    for check in smoke_test.checks(input_contract.parse_contract(doc)):
        reply = inference.respond(model, json.dumps(check.payload), "application/json", "application/json")
        if check.expect_predictions is None:
            assert reply.status == 400 and check.expect_text in json.loads(reply.body)["error"], check.name
        else:
            assert reply.status == 200 and len(json.loads(reply.body)["predictions"]) == check.expect_predictions
