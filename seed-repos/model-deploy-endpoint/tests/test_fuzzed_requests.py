"""Seeded fuzzing of the endpoint: no mutated request may end in a 5xx.

Runs the real library: each request goes through sagemaker-containers 2.8.6.post2 (the XGBoost
3.0-5 container's Flask worker and Transformer, sagemaker_containers/_worker.py and
_transformer.py) to inference.transform_fn; see serving.py.

test_malformed_requests.py checks each known mistake and its message; this test looks for
the ones nobody listed. Each request starts valid and gets one mutation: a field set to an
awkward JSON value, a field dropped or added, a record or the document replaced, or a few
character-level edits of the JSON text (handed to inference.py as text or as bytes). The seed is fixed,
so a failure names a request that reproduces exactly.
"""

import json
import random

from conftest import contract, good_record

SEED = 7
REQUESTS = 2000
FIELDS = list(contract().input_fields)
# A category of the model (or a plain letter when it has none) and its near misses.
CATEGORY = next((values[0] for values in contract().categories.values()), "M")
AWKWARD = [None, True, False, 0, -0.0, -1, 10 ** 400, -(10 ** 400), 2 ** 64, 5e-324, 1.7976931348623157e308,
           "", CATEGORY, CATEGORY.swapcase(), f" {CATEGORY}", "0.5", "\u0000", "\ud800", "x" * 5000, [], {}, [[]],
           {FIELDS[0]: CATEGORY}, 0.5]
EXTRA_NAMES = ["an_extra_field", "", FIELDS[0].upper() + "_", FIELDS[-1] + " ", "x" * 300, contract().target]


def record():
    return good_record()
JSON_CHARACTERS = '{}[],:"\\ 0e-+.nNaItf\x00\u00e9'


def _mutated_document(rng):
    doc = {"instances": [record() for _ in range(rng.randint(1, 3))]}
    rows = doc["instances"]
    i = rng.randrange(len(rows))
    kind = rng.randrange(6)
    if kind == 0:
        rows[i][rng.choice(FIELDS)] = rng.choice(AWKWARD)
    elif kind == 1:
        del rows[i][rng.choice(FIELDS)]
    elif kind == 2:
        rows[i][rng.choice(EXTRA_NAMES)] = rng.choice(AWKWARD)
    elif kind == 3:
        rows[i] = rng.choice(AWKWARD)
    elif kind == 4:
        doc["instances"] = rng.choice(AWKWARD)
    else:
        return rng.choice(AWKWARD)
    return doc


def _mutated_text(rng):
    text = list(json.dumps({"instances": [record() for _ in range(rng.randint(1, 3))]}))
    for _ in range(rng.randint(1, 5)):
        at = rng.randrange(len(text))
        edit = rng.randrange(3)
        if edit == 0:
            del text[at]
        elif edit == 1:
            text.insert(at, rng.choice(JSON_CHARACTERS))
        else:
            text[at:at + 1] = [rng.choice("0123456789")] * rng.randint(1, 500)
    return "".join(text)


def test_no_fuzzed_request_ends_in_a_5xx_and_each_4xx_names_its_problem_in_json(endpoint):
    rng = random.Random(SEED)
    outcomes = {200: 0, "4xx": 0}
    for number in range(REQUESTS):
        if rng.random() < 0.6:
            body = json.dumps(_mutated_document(rng))
        else:
            body = _mutated_text(rng)
        # Both ways the worker hands a body over: text for exactly application/json, bytes with a
        # charset parameter (sagemaker_containers/_worker.py Request.content).
        content_type = "application/json; charset=utf-8" if rng.random() < 0.3 else "application/json"
        answer = endpoint.invoke(body, content_type=content_type)
        where = f"fuzzed request {number} (seed {SEED}) got {answer.status}: {answer.body[:300]}; body {body[:300]!r}"
        assert answer.status < 500, where
        if answer.status == 200:
            outcomes[200] += 1
            assert answer.predictions, where
        else:
            outcomes["4xx"] += 1
            assert answer.error.strip(), where
    # Both outcomes must occur, or the mutations test less than this test claims.
    assert outcomes["4xx"] > REQUESTS // 2 and outcomes[200] > 0, outcomes
