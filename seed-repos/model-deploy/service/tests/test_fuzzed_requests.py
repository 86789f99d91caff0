"""Seeded fuzzing: thousands of mutated requests, none of which may produce a 5xx.

The hand-written corpus (test_malformed_requests.py) checks each error message; this
test looks for the inputs nobody thought of (it found that a 400-digit JSON integer
used to overflow the range check). Mutations: a field set to an awkward JSON value,
a field removed or added, a record or the whole document replaced, and character-level
edits of the JSON text. The columnar and CSV formats get their own mutations
(cells, columns, rows and characters). The seed is fixed, so a failure reproduces exactly.
"""

from __future__ import annotations

import copy
import json
import random

import pytest

from http_events import LambdaContext, api_event, columnar_body, columnar_event, csv_body, csv_event, response_json
from model_under_test import INPUT_FIELDS, NUMERIC_FIELDS, VALID_RECORD

SEED = 20261123
REQUESTS = 3000
AWKWARD_VALUES = [
    None, True, False, 0, -0.0, 1, -1, 10 ** 400, -(10 ** 400), 2 ** 63, 2 ** 64, 5e-324, 1.7976931348623157e308,
    "", "M", "m", " M", "M ", "i", "0.5", "\u0000", "\ud800", "x" * 10_000, [], {}, [[]], {"a": {}}, [1, 2],
    dict(list(VALID_RECORD.items())[:1]), 0.5,
]
# Keys no model has, and near misses of its own field names (upper case, a trailing space).
ODD_KEYS = ["age", "", INPUT_FIELDS[-1].upper(), INPUT_FIELDS[0] + " ", "\ud83d", "x" * 300, "instances"]
JSON_CHARACTERS = '{}[],:"\\ 0e-+.nNaItf\x00\u00e9\ud800'


def _mutated_document(rng: random.Random) -> object:
    doc: object = {"instances": [dict(VALID_RECORD) for _ in range(rng.randint(1, 3))]}
    instances = doc["instances"]
    i = rng.randrange(len(instances))
    choice = rng.randrange(7)
    if choice == 0:
        instances[i][rng.choice(list(VALID_RECORD))] = rng.choice(AWKWARD_VALUES)
    elif choice == 1:
        del instances[i][rng.choice(list(VALID_RECORD))]
    elif choice == 2:
        instances[i][rng.choice(ODD_KEYS)] = rng.choice(AWKWARD_VALUES)
    elif choice == 3:
        instances[i] = rng.choice(AWKWARD_VALUES)
    elif choice == 4:
        doc["instances"] = rng.choice(AWKWARD_VALUES)
    elif choice == 5:
        doc = copy.deepcopy(rng.choice(AWKWARD_VALUES))
    else:
        doc[rng.choice(ODD_KEYS[:-1])] = rng.choice(AWKWARD_VALUES)
    return doc


def _mutated_text(rng: random.Random) -> str:
    text = list(json.dumps({"instances": [dict(VALID_RECORD) for _ in range(rng.randint(1, 3))]}))
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


def _fuzzed_events() -> list[tuple[int, dict]]:
    rng = random.Random(SEED)
    events = []
    for number in range(REQUESTS):
        body = json.dumps(_mutated_document(rng)) if rng.random() < 0.6 else _mutated_text(rng)
        events.append((number, api_event(body)))
    return events


def test_no_fuzzed_request_gets_a_5xx_and_every_answer_is_well_formed(service):
    statuses = {"2xx": 0, "4xx": 0}
    for number, event in _fuzzed_events():
        response = service.handle(event, LambdaContext())
        status = response["statusCode"]
        assert status < 500, f"fuzzed request {number} (seed {SEED}) got {status}: {event['body'][:300]!r}"
        body = response_json(response)
        if status == 200:
            statuses["2xx"] += 1
            sent = json.loads(event["body"])["instances"]
            assert len(body["predictions"]) == len(sent)
        else:
            statuses["4xx"] += 1
            assert body["error"]["code"] and body["error"]["message"]
    # The mutations must exercise both outcomes, or the test checks less than it claims.
    assert statuses["4xx"] > REQUESTS // 2 and statuses["2xx"] > 0, statuses


@pytest.mark.parametrize("value", [10 ** 400, -(10 ** 400), 2 ** 64])
def test_huge_integers_are_out_of_range_not_server_errors(service, value):
    field = NUMERIC_FIELDS[0]
    for instances in ([dict(VALID_RECORD, **{field: value})], [dict(VALID_RECORD), dict(VALID_RECORD, **{field: value})]):
        response = service.handle(api_event({"instances": instances}), LambdaContext())

        assert response["statusCode"] == 400
        assert response_json(response)["error"]["code"] == "out_of_range"


# --------------------------------------------------------------------------- columnar JSON and CSV

FORMAT_REQUESTS = 2000
CSV_CHARACTERS = ',\n\r "0123456789.eE+-MFIabn\x00\u00e9\ud800\t;'
AWKWARD_CELLS = ["", " ", "M", "m", "X", "0.5", "-0.1", "1e999", "9" * 400, "nan", "inf", "-Infinity", '"0.5"', "0x10",
                 "1_0", "\u0000", "\u00e9", "\ud800", "x" * 5000, "0.5,0.5", "\n", "\r", "١"]


def _mutated_columnar(rng: random.Random) -> str:
    doc: object = columnar_body([dict(VALID_RECORD) for _ in range(rng.randint(1, 3))])
    columns, data = doc["columns"], doc["data"]
    i, j = rng.randrange(len(data)), rng.randrange(len(columns))
    choice = rng.randrange(9)
    if choice == 0:
        data[i][j] = rng.choice(AWKWARD_VALUES)
    elif choice == 1:
        del data[i][j]
    elif choice == 2:
        data[i].append(rng.choice(AWKWARD_VALUES))
    elif choice == 3:
        columns[j] = rng.choice(ODD_KEYS + INPUT_FIELDS)
    elif choice == 4:
        del columns[j]
    elif choice == 5:
        data[i] = rng.choice(AWKWARD_VALUES)
    elif choice == 6:
        doc[rng.choice(["columns", "data"])] = rng.choice(AWKWARD_VALUES)
    elif choice == 7:
        doc[rng.choice(ODD_KEYS + ["index"])] = rng.choice(AWKWARD_VALUES)
    else:
        return _edited(json.dumps(doc), rng, JSON_CHARACTERS)
    return json.dumps(doc)


def _mutated_csv(rng: random.Random) -> str:
    rows = [csv_body([VALID_RECORD]).rstrip("\n").split(",") for _ in range(rng.randint(1, 3))]
    i = rng.randrange(len(rows))
    choice = rng.randrange(5)
    if choice == 0:
        rows[i][rng.randrange(len(rows[i]))] = rng.choice(AWKWARD_CELLS)
    elif choice == 1:
        del rows[i][rng.randrange(len(rows[i]))]
    elif choice == 2:
        rows[i].append(rng.choice(AWKWARD_CELLS))
    elif choice == 3:
        rows.insert(i, [])
    else:
        return _edited(csv_body([VALID_RECORD] * len(rows)), rng, CSV_CHARACTERS)
    return "".join(",".join(row) + rng.choice(["\n", "\r\n"]) for row in rows)


def _edited(text: str, rng: random.Random, characters: str) -> str:
    chars = list(text)
    for _ in range(rng.randint(1, 5)):
        at = rng.randrange(len(chars))
        edit = rng.randrange(3)
        if edit == 0:
            del chars[at]
        elif edit == 1:
            chars.insert(at, rng.choice(characters))
        else:
            chars[at:at + 1] = [rng.choice("0123456789")] * rng.randint(1, 500)
    return "".join(chars)


@pytest.mark.parametrize("fmt", ["columnar", "csv"])
def test_no_fuzzed_columnar_or_csv_request_gets_a_5xx_and_every_answer_is_well_formed(service, fmt):
    rng = random.Random(f"{SEED}-{fmt}")
    mutate, event_of = (_mutated_columnar, columnar_event) if fmt == "columnar" else (_mutated_csv, csv_event)
    statuses = {"2xx": 0, "4xx": 0}
    for number in range(FORMAT_REQUESTS):
        event = event_of(mutate(rng))
        response = service.handle(event, LambdaContext())
        status = response["statusCode"]
        assert status < 500, f"fuzzed {fmt} request {number} (seed {SEED}-{fmt}) got {status}: {event['body'][:300]!r}"
        body = response_json(response)
        if status == 200:
            statuses["2xx"] += 1
            assert body["predictions"] and all(isinstance(p, float) for p in body["predictions"])
        else:
            statuses["4xx"] += 1
            assert body["error"]["code"] and body["error"]["message"]
            if body["error"]["index"] is not None:
                assert f"{body['error']['index']}" in body["error"]["message"]
    assert statuses["4xx"] > FORMAT_REQUESTS // 2 and statuses["2xx"] > 0, statuses
