"""Nothing a client sends may produce a 5xx: each malformed request gets a 4xx with a JSON body
``{"error": "..."}`` naming the problem.

Runs the real library: every request goes through sagemaker-containers 2.8.6.post2, the
serving library of the XGBoost 3.0-5 container (its Flask ``worker.Worker`` and
``transformer.Transformer``, sagemaker_containers/_worker.py and _transformer.py), to
inference.transform_fn (see serving.py and xgboost_serving.py).
"""

import json

import pytest

from conftest import record

GOOD = record()


def body(instances):
    return {"instances": instances}


# (case id, request body (JSON value, or raw str/bytes), expected status, text the message must contain)
CASES = [
    # -- body, encoding, JSON syntax
    ("empty body", "", 400, "empty"),
    ("whitespace body", "   \n", 400, "empty"),
    ("not json", "sex=M&length=0.4", 400, "not valid JSON"),
    ("truncated json", '{"instances": [', 400, "not valid JSON"),
    ("trailing garbage", '{"instances": []} x', 400, "not valid JSON"),
    # The worker decodes an application/json body with errors="replace": \xff arrives as U+FFFD.
    ("invalid utf-8", b'{"instances": [\xff]}', 400, "U+FFFD characters: was it sent in an encoding other than UTF-8?"),
    ("single quotes", "{'instances': []}", 400, "not valid JSON"),
    ("deep nesting", "[" * 100000 + "]" * 100000, 400, "nested"),
    ("huge integer", '{"instances": [{"length": ' + "9" * 5000 + "}]}", 400, "JSON"),
    ("oversized body", b" " * 1_000_001, 413, "exceeds"),
    ("duplicate top-level key", '{"instances": [], "instances": []}', 400, "repeats the key 'instances'"),
    ("duplicate record key", '{"instances": [{"sex": "M", "sex": "F"}]}', 400, "repeats the key 'sex'"),
    # -- top level shape
    ("json array", [GOOD], 400, "must be a JSON object"),
    ("json string", "\"hello\"", 400, "must be a JSON object"),
    ("json number", "42", 400, "must be a JSON object"),
    ("json null", "null", 400, "must be a JSON object"),
    ("no instances key", {}, 400, '"instances" list'),
    ("misspelt instances", {"instance": [GOOD]}, 400, "unknown top-level field 'instance'"),
    ("extra top-level key", {"instances": [GOOD], "model": "x"}, 400, "unknown top-level field 'model'"),
    ("instances is object", {"instances": GOOD}, 400, "instances: must be an array"),
    ("instances is string", {"instances": "M,0.4"}, 400, "instances: must be an array"),
    ("instances is null", {"instances": None}, 400, "instances: must be an array"),
    ("empty instances", body([]), 400, "at least one record"),
    ("too many records", body([GOOD] * 1001), 400, "1001 records; the limit is 1000"),
    # -- records
    ("record is array", body([[0.4, 0.3]]), 400, "instances[0]: must be an object"),
    ("record is null", body([None]), 400, "instances[0]: must be an object"),
    ("record is string", body([GOOD, "M"]), 400, "instances[1]: must be an object"),
    ("empty record", body([{}]), 400, "instances[0].sex: missing"),
    ("missing sex", body([record(sex=...)]), 400, "instances[0].sex: missing"),
    ("missing length", body([GOOD, record(length=...)]), 400, "instances[1].length: missing"),
    ("missing shell_weight", body([record(shell_weight=...)]), 400, "instances[0].shell_weight: missing"),
    ("extra field", body([record(rings=10)]), 400, "instances[0].rings: unknown field"),
    ("misspelt field", body([{**record(whole_weight=...), "wholeweight": 0.5}]), 400, "instances[0].whole_weight: missing"),
    ("upper-case field name", body([{**record(height=...), "Height": 0.1}]), 400, "instances[0].height: missing"),
    # -- categorical
    ("unknown sex", body([record(sex="X")]), 400, "instances[0].sex: unknown value 'X'"),
    ("lower-case sex", body([record(sex="m")]), 400, "instances[0].sex: unknown value 'm'"),
    ("sex with spaces", body([record(sex=" M")]), 400, "instances[0].sex: unknown value"),
    ("empty sex", body([record(sex="")]), 400, "instances[0].sex: unknown value"),
    ("sex as number", body([record(sex=1)]), 400, "instances[0].sex: must be a string"),
    ("sex as null", body([record(sex=None)]), 400, "instances[0].sex: must be a string"),
    ("sex as list", body([record(sex=["M"])]), 400, "instances[0].sex: must be a string"),
    ("sex as one-hot object", body([record(sex={"M": 1})]), 400, "instances[0].sex: must be a string"),
    # -- numeric types
    ("length as string", body([record(length="0.4")]), 400, "instances[0].length: must be a number, got string"),
    ("length as null", body([record(length=None)]), 400, "instances[0].length: must be a number, got null"),
    ("length as boolean", body([record(length=True)]), 400, "instances[0].length: must be a number, got boolean"),
    ("length as list", body([record(length=[0.4])]), 400, "instances[0].length: must be a number, got array"),
    ("length as object", body([record(length={"v": 0.4})]), 400, "instances[0].length: must be a number, got object"),
    ("diameter as empty string", body([record(diameter="")]), 400, "instances[0].diameter: must be a number"),
    # -- non-finite and out of range
    ("NaN as a string", body([record(length="NaN")]), 400, "instances[0].length: must be a number, got string"),
    ("NaN height", '{"instances": [' + json.dumps(record(height=...))[:-1] + ', "height": NaN}]}', 400, "instances[0].height: NaN is not allowed"),
    ("Infinity weight", '{"instances": [' + json.dumps(record(whole_weight=...))[:-1] + ', "whole_weight": Infinity}]}', 400, "instances[0].whole_weight: Infinity is not allowed"),
    ("-Infinity length", '{"instances": [' + json.dumps(record(length=...))[:-1] + ', "length": -Infinity}]}', 400, "instances[0].length: -Infinity is not allowed"),
    ("overflowing float", '{"instances": [' + json.dumps(record(length=...))[:-1] + ', "length": 1e999}]}', 400, "instances[0].length: inf is outside"),
    ("negative length", body([record(length=-0.1)]), 400, "instances[0].length: -0.1 is outside the accepted range 0.0..2.0"),
    ("length in millimetres", body([record(length=91.0)]), 400, "instances[0].length: 91.0 is outside"),
    ("weight in grams", body([record(whole_weight=102.8)]), 400, "instances[0].whole_weight: 102.8 is outside"),
    ("absurd height", body([record(height=1e300)]), 400, "instances[0].height: 1e+300 is outside"),
    ("400-digit integer", body([record(shell_weight=10 ** 400)]), 400, "instances[0].shell_weight: 1000000000"),
    ("bad value in the last record", body([GOOD] * 9 + [record(shucked_weight=-1)]), 400, "instances[9].shucked_weight"),
    ("first error is reported", body([record(sex="Q"), record(length="x")]), 400, "instances[0].sex"),
]


@pytest.mark.parametrize("request_body, status, text", [c[1:] for c in CASES], ids=[c[0] for c in CASES])
def test_malformed_request_gets_a_4xx_with_a_json_error_naming_the_problem(endpoint, request_body, status, text):
    answer = endpoint.invoke(request_body)
    assert answer.status == status, answer.body[:300]
    assert text in answer.error
    assert "\n" not in answer.error and len(answer.error) <= 400


def test_the_corpus_has_at_least_fifty_cases():
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


def test_control_characters_and_non_ascii_in_a_value_stay_on_one_ascii_line(endpoint):
    answer = endpoint.invoke(body([record(sex="M\r\nX-Injected: 1\u00e9")]))
    assert answer.status == 400 and "\r" not in answer.error and "\n" not in answer.error
    answer.error.encode("ascii")
    answer.body.encode("ascii")
