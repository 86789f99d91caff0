"""Nothing a client sends may produce a 5xx: each malformed request gets a 4xx with a JSON body
``{"error": "..."}`` naming the problem.

Runs the real library: every request goes through sagemaker-containers 2.8.6.post2, the
serving library of the XGBoost 3.0-5 container (its Flask ``worker.Worker`` and
``transformer.Transformer``, sagemaker_containers/_worker.py and _transformer.py), to
inference.transform_fn (see serving.py and xgboost_serving.py).
"""

import json
import math

import pytest

from conftest import contract, good_record
from contract_records import replaced, without
from smoke_test import unknown_category

GOOD = good_record()
CONTRACT = contract()
FIELDS = CONTRACT.input_fields
NUMERIC = CONTRACT.numeric_fields
CATEGORIES = CONTRACT.categories


def body(instances):
    return {"instances": instances}


def with_token(field, token):
    """A one-record body whose ``field`` is a bare JSON token (NaN, Infinity, 1e999), as text."""
    return '{"instances": [' + json.dumps(without(GOOD, field))[:-1] + f', "{field}": {token}}}]}}'


def accepted(field):
    low, high = CONTRACT.bounds[field]
    return f"{low:.6g}..{high:.6g}"


def case_variants(field):
    """Misspellings of ``field`` that are no input field."""
    variants = [field + "s", field.swapcase(), " " + field]
    return [v for v in variants if v not in FIELDS]


# (case id, request body (JSON value, or raw str/bytes), expected status, text the message must contain)
CASES = [
    # -- body, encoding, JSON syntax
    ("empty body", "", 400, "empty"),
    ("whitespace body", "   \n", 400, "empty"),
    ("not json", "a=1&b=0.4", 400, "not valid JSON"),
    ("truncated json", '{"instances": [', 400, "not valid JSON"),
    ("trailing garbage", '{"instances": []} x', 400, "not valid JSON"),
    # The worker decodes an application/json body with errors="replace": \xff arrives as U+FFFD.
    ("invalid utf-8", b'{"instances": [\xff]}', 400, "U+FFFD characters: was it sent in an encoding other than UTF-8?"),
    ("single quotes", "{'instances': []}", 400, "not valid JSON"),
    ("deep nesting", "[" * 100000 + "]" * 100000, 400, "nested"),
    ("huge integer", '{"instances": [{' + json.dumps(FIELDS[0]) + ": " + "9" * 5000 + "}]}", 400, "JSON"),
    ("oversized body", b" " * 1_000_001, 413, "exceeds"),
    ("duplicate top-level key", '{"instances": [], "instances": []}', 400, "repeats the key 'instances'"),
    ("duplicate record key", '{"instances": [{%s: 1, %s: 2}]}' % (json.dumps(FIELDS[0]), json.dumps(FIELDS[0])),
     400, f"repeats the key {FIELDS[0]!r}"),
    # -- top level shape
    ("json array", [GOOD], 400, "must be a JSON object"),
    ("json string", "\"hello\"", 400, "must be a JSON object"),
    ("json number", "42", 400, "must be a JSON object"),
    ("json null", "null", 400, "must be a JSON object"),
    ("no instances key", {}, 400, '"instances" list'),
    ("misspelt instances", {"instance": [GOOD]}, 400, "unknown top-level field 'instance'"),
    ("extra top-level key", {"instances": [GOOD], "model": "x"}, 400, "unknown top-level field 'model'"),
    ("instances is object", {"instances": GOOD}, 400, "instances: must be an array"),
    ("instances is string", {"instances": "a,0.4"}, 400, "instances: must be an array"),
    ("instances is null", {"instances": None}, 400, "instances: must be an array"),
    ("empty instances", body([]), 400, "at least one record"),
    ("too many records", body([GOOD] * 1001), 400, "1001 records; the limit is 1000"),
    # -- records
    ("record is array", body([list(GOOD.values())]), 400, "instances[0]: must be an object"),
    ("record is null", body([None]), 400, "instances[0]: must be an object"),
    ("record is string", body([GOOD, "a"]), 400, "instances[1]: must be an object"),
    ("empty record", body([{}]), 400, f"instances[0].{FIELDS[0]}: missing"),
    ("missing first field", body([without(GOOD, FIELDS[0])]), 400, f"instances[0].{FIELDS[0]}: missing"),
    ("missing last field in the second record", body([GOOD, without(GOOD, FIELDS[-1])]), 400,
     f"instances[1].{FIELDS[-1]}: missing"),
    # The label is the field a newcomer is most likely to send along.
    ("the target as an extra field", body([replaced(GOOD, CONTRACT.target, 10)]), 400,
     f"instances[0].{CONTRACT.target}: unknown field"),
    ("first error is reported", body([without(GOOD, FIELDS[0]), without(GOOD, FIELDS[-1])]), 400,
     f"instances[0].{FIELDS[0]}"),
]
for _field in (FIELDS[0], FIELDS[-1]):
    for _variant in case_variants(_field)[:2]:
        CASES.append((f"{_field} sent as {_variant!r}", body([{**without(GOOD, _field), _variant: GOOD[_field]}]), 400,
                      f"instances[0].{_field}: missing"))
for _field, _values in list(CATEGORIES.items())[:1]:
    _value = _values[0]
    CASES += [
        (f"unknown {_field}", body([replaced(GOOD, _field, unknown_category(_values))]), 400,
         f"instances[0].{_field}: unknown value {unknown_category(_values)!r}"),
        (f"{_field} with spaces", body([replaced(GOOD, _field, f" {_value}")]), 400, f"instances[0].{_field}: unknown value"),
        (f"empty {_field}", body([replaced(GOOD, _field, "")]), 400, f"instances[0].{_field}: unknown value"),
        (f"{_field} as number", body([replaced(GOOD, _field, 1)]), 400, f"instances[0].{_field}: must be a string"),
        (f"{_field} as null", body([replaced(GOOD, _field, None)]), 400, f"instances[0].{_field}: must be a string"),
        (f"{_field} as list", body([replaced(GOOD, _field, [_value])]), 400, f"instances[0].{_field}: must be a string"),
        (f"{_field} as one-hot object", body([replaced(GOOD, _field, {_value: 1})]), 400, f"instances[0].{_field}: must be a string"),
        (f"first error is reported ({_field})", body([replaced(GOOD, _field, unknown_category(_values)), "a"]), 400,
         f"instances[0].{_field}"),
    ]
    if _value.swapcase() not in _values and _value.swapcase() != _value:
        CASES.append((f"{_field} in the other case", body([replaced(GOOD, _field, _value.swapcase())]), 400,
                      f"instances[0].{_field}: unknown value {_value.swapcase()!r}"))
if NUMERIC:
    _first, _last = NUMERIC[0], NUMERIC[-1]
    (_low, _high), (_last_low, _last_high) = CONTRACT.bounds[_first], CONTRACT.bounds[_last]
    _below, _above = math.nextafter(_low, -math.inf), math.nextafter(_last_high, math.inf)
    CASES += [
        # -- numeric types
        (f"{_first} as string", body([replaced(GOOD, _first, "0.4")]), 400, f"instances[0].{_first}: must be a number, got string"),
        (f"{_first} as null", body([replaced(GOOD, _first, None)]), 400, f"instances[0].{_first}: must be a number, got null"),
        (f"{_first} as boolean", body([replaced(GOOD, _first, True)]), 400, f"instances[0].{_first}: must be a number, got boolean"),
        (f"{_first} as list", body([replaced(GOOD, _first, [0.4])]), 400, f"instances[0].{_first}: must be a number, got array"),
        (f"{_first} as object", body([replaced(GOOD, _first, {"v": 0.4})]), 400, f"instances[0].{_first}: must be a number, got object"),
        (f"{_last} as empty string", body([replaced(GOOD, _last, "")]), 400, f"instances[0].{_last}: must be a number"),
        (f"NaN as a string in {_first}", body([replaced(GOOD, _first, "NaN")]), 400, f"instances[0].{_first}: must be a number, got string"),
        # -- non-finite and out of range
        (f"NaN {_last}", with_token(_last, "NaN"), 400, f"instances[0].{_last}: NaN is not allowed"),
        (f"Infinity {_first}", with_token(_first, "Infinity"), 400, f"instances[0].{_first}: Infinity is not allowed"),
        (f"-Infinity {_last}", with_token(_last, "-Infinity"), 400, f"instances[0].{_last}: -Infinity is not allowed"),
        (f"overflowing float {_first}", with_token(_first, "1e999"), 400, f"instances[0].{_first}: inf is outside"),
        (f"{_first} just below its minimum", body([replaced(GOOD, _first, _below)]), 400,
         f"instances[0].{_first}: {_below!r} is outside the accepted range {accepted(_first)}"),
        (f"{_last} just above its maximum", body([replaced(GOOD, _last, _above)]), 400,
         f"instances[0].{_last}: {_above!r} is outside the accepted range {accepted(_last)}"),
        # A unit mistake (millimetres for centimetres, grams for kilograms) is far outside the range.
        (f"{_first} in units 1000 times smaller", body([replaced(GOOD, _first, _high * 1000 + 1)]), 400,
         f"instances[0].{_first}: {_high * 1000 + 1!r} is outside"),
        (f"absurd {_last}", body([replaced(GOOD, _last, 1e300)]), 400, f"instances[0].{_last}: 1e+300 is outside"),
        (f"400-digit integer {_last}", body([replaced(GOOD, _last, 10 ** 400)]), 400, f"instances[0].{_last}: 1000000000"),
        ("bad value in the last record", body([GOOD] * 9 + [replaced(GOOD, _last, _last_low - 1)]), 400, f"instances[9].{_last}"),
    ]


@pytest.mark.parametrize("request_body, status, text", [c[1:] for c in CASES], ids=[c[0] for c in CASES])
def test_malformed_request_gets_a_4xx_with_a_json_error_naming_the_problem(endpoint, request_body, status, text):
    answer = endpoint.invoke(request_body)
    assert answer.status == status, answer.body[:300]
    assert text in answer.error
    assert "\n" not in answer.error and len(answer.error) <= 400


def test_the_corpus_has_at_least_fifty_distinct_cases():
    assert len(CASES) >= 50
    assert len({c[0] for c in CASES}) == len(CASES)


@pytest.mark.parametrize("content_type", ["text/csv", "application/x-npy", "text/plain", "application/jsonl",
                                          "application/octet-stream"])
def test_a_content_type_other_than_json_gets_415(endpoint, content_type):
    answer = endpoint.invoke({"instances": [GOOD]}, content_type=content_type)
    assert answer.status == 415 and "Content-Type must be application/json" in answer.error


def test_a_request_without_content_type_is_read_as_json_as_the_worker_defaults_it(endpoint):
    # sagemaker_containers/_worker.py Request.content_type: ContentType or Content-Type header, else JSON.
    answer = endpoint.invoke({"instances": [GOOD]}, content_type=None)
    assert answer.status == 200 and len(answer.predictions) == 1


def test_bytes_that_are_not_utf8_are_named_when_the_body_arrives_as_bytes(endpoint):
    # With a charset parameter the worker hands over bytes (Request.content: only exact
    # application/json and text/csv are decoded), so the strict UTF-8 check names the byte.
    answer = endpoint.invoke(b'{"instances": [\xff]}', content_type="application/json; charset=utf-8")
    assert answer.status == 400 and answer.error == "request body is not valid UTF-8 (byte 15)"


@pytest.mark.parametrize("accept", ["text/csv", "application/x-npy", "text/html, application/xml"])
def test_an_accept_that_excludes_json_gets_406(endpoint, accept):
    answer = endpoint.invoke({"instances": [GOOD]}, accept=accept)
    assert answer.status == 406 and "Accept must be application/json" in answer.error


def test_control_characters_and_non_ascii_in_a_field_name_stay_on_one_ascii_line(endpoint):
    # Echoed in an unknown-field message whatever the contract holds.
    answer = endpoint.invoke(body([{**GOOD, "a\r\nX-Injected: 1\u00e9": 1}]))
    assert answer.status == 400 and "\r" not in answer.error and "\n" not in answer.error
    answer.error.encode("ascii")
    answer.body.encode("ascii")
