"""Nothing a client sends may produce a 5xx: every malformed request in this
generated corpus gets a 4xx JSON error whose message names the problem, with
``field`` and ``index`` pointing at it."""

from __future__ import annotations

import json
from dataclasses import dataclass, field as dataclass_field

import pytest

from http_events import VALID_RECORD, LambdaContext, api_event, response_json

NUMERIC_FIELDS = [name for name in VALID_RECORD if name != "sex"]
MAX_RECORDS = 1000  # the default, used by the ``service`` fixture
MAX_BODY_BYTES = 256 * 1024


@dataclass(frozen=True)
class Case:
    id: str
    event: dict
    status: int
    code: str
    mentions: tuple[str, ...] = ()  # substrings the message must contain
    field: str | None = None
    index: int | None = None
    headers: dict = dataclass_field(default_factory=dict)


def _batch_with(index: int, record, single: bool = False) -> dict:
    """Three valid records with the one at ``index`` replaced; or, when ``single``, ``record`` alone."""
    if single:
        return {"instances": [record]}
    instances = [dict(VALID_RECORD) for _ in range(3)]
    instances[index] = record
    return {"instances": instances}


def _raw_batch_with_token(field: str, token: str, single: bool = False) -> str:
    """Record 1's (or the single record's) ``field`` set to a literal JSON-ish token (NaN, Infinity, 1e999, ...)."""
    placeholder = "__TOKEN__"
    doc = _batch_with(1, dict(VALID_RECORD, **{field: placeholder}), single)
    return json.dumps(doc).replace(f'"{placeholder}"', token)


def _body_cases() -> list[Case]:
    not_json = {
        "empty": "", "truncated": '{"instances": [', "bare_word": "instances", "single_quotes": "{'instances': []}",
        "trailing_comma": '{"instances": [1,],}', "xml": "<instances/>", "csv": "M,0.455,0.365,0.095,0.514,0.2245,0.101,0.15",
        "nul_byte": "\x00", "unclosed_string": '{"instances": "', "deep_nesting": "[" * 100_000 + "]" * 100_000,
    }
    cases = [Case(f"body_not_json_{name}", api_event(body), 400, "invalid_json", ("JSON",)) for name, body in not_json.items()]
    cases.append(Case("body_missing", api_event(None), 400, "invalid_json", ("empty",)))
    cases.append(Case("body_huge_integer", api_event('{"instances": [' + "9" * 5000 + "]}"), 400, "invalid_json", ("JSON",)))
    cases.append(Case("body_lone_surrogate", api_event('{"instances": "\ud800"}'), 400, "invalid_encoding", ("UTF-8",)))
    return cases


def _shape_cases() -> list[Case]:
    # Raw JSON texts: a str body is sent as is.
    cases = [Case(f"top_level_{name}", api_event(text), 400, "invalid_shape", ("JSON object", kind))
             for name, text, kind in [("array", json.dumps([VALID_RECORD]), "array"), ("number", "1", "number"),
                                      ("string", '"x"', "string"), ("null", "null", "null"), ("boolean", "true", "boolean")]]
    cases += [
        Case("top_level_misspelt_instances", api_event({"instance": [VALID_RECORD]}), 400, "unknown_field",
             ('did you mean "instances"',), field="instance"),
        Case("top_level_extra_key", api_event({"instances": [VALID_RECORD], "model": "x"}), 400, "unknown_field",
             ('"model"',), field="model"),
        Case("top_level_empty_object", api_event({}), 400, "missing_field", ("instances",), field="instances"),
        Case("instances_empty_list", api_event({"instances": []}), 400, "empty_instances", ("at least one",), field="instances"),
        Case("too_many_records", api_event({"instances": [VALID_RECORD] * (MAX_RECORDS + 1)}), 400, "too_many_records",
             (str(MAX_RECORDS + 1), str(MAX_RECORDS)), field="instances"),
    ]
    for name, value, kind in [("object", VALID_RECORD, "object"), ("string", "M,0.4", "string"), ("number", 3, "number"),
                              ("null", None, "null")]:
        cases.append(Case(f"instances_is_{name}", api_event({"instances": value}), 400, "invalid_type",
                          ("instances", "array", kind), field="instances"))
    for name, value, kind in [("number", 5, "number"), ("string", "record", "string"), ("null", None, "null"),
                              ("array", list(VALID_RECORD.values()), "array"), ("boolean", False, "boolean")]:
        cases.append(Case(f"record_is_{name}", api_event(_batch_with(1, value)), 400, "invalid_type",
                          ("instances[1]", "object", kind), field="instances", index=1))
    return cases


def _misspelling(name: str) -> str:
    return {"sex": "sexx", "length": "lenght", "diameter": "diametre", "height": "heigth", "whole_weight": "whole-weight",
            "shucked_weight": "shuckedweight", "viscera_weight": "Viscera_Weight", "shell_weight": "shell_wieght"}[name]


def _field_presence_cases(single: bool = False) -> list[Case]:
    prefix, at = ("single_", lambda _index: 0) if single else ("", lambda index: index)
    cases = []
    for name in VALID_RECORD:
        missing = {k: v for k, v in VALID_RECORD.items() if k != name}
        cases.append(Case(f"{prefix}missing_{name}", api_event(_batch_with(1, missing, single)), 400, "missing_field",
                          (f'"{name}"', f"instances[{at(1)}]"), field=name, index=at(1)))
        typo = _misspelling(name)
        misspelt = dict(missing, **{typo: VALID_RECORD[name]})
        cases.append(Case(f"{prefix}misspelt_{name}", api_event(_batch_with(2, misspelt, single)), 400, "unknown_field",
                          (typo, f'did you mean "{name}"', f"instances[{at(2)}]"), field=typo, index=at(2)))
    cases.append(Case(f"{prefix}extra_field_age", api_event(_batch_with(0, dict(VALID_RECORD, age=10), single)), 400,
                      "unknown_field", ('"age"', "instances[0]", "expected fields"), field="age", index=0))
    cases.append(Case(f"{prefix}extra_field_rings_label", api_event(_batch_with(1, dict(VALID_RECORD, rings=9), single)), 400,
                      "unknown_field", ('"rings"',), field="rings", index=at(1)))
    cases.append(Case(f"{prefix}empty_record", api_event(_batch_with(1, {}, single)), 400, "missing_field", ('"sex"',),
                      field="sex", index=at(1)))
    return cases


def _numeric_value_cases(single: bool = False) -> list[Case]:
    prefix, index = ("single_", 0) if single else ("", 1)
    cases = []
    for name in NUMERIC_FIELDS:
        path = f"instances[{index}].{name}"
        bad_json_values = [
            ("string", "0.5", "invalid_type", ("string", "without quotes")),
            ("empty_string", "", "invalid_type", ("string",)),
            ("boolean", True, "invalid_type", ("boolean",)),
            ("null", None, "invalid_type", ("null",)),
            ("array", [0.5], "invalid_type", ("array",)),
            ("object", {"value": 0.5}, "invalid_type", ("object",)),
            ("negative", -0.1, "out_of_range", ("-0.1", "between")),
            ("absurd", 1e6, "out_of_range", ("1000000", "between")),
            ("in_millimetres", 455, "out_of_range", ("455", "between")),
            ("huge_integer", 10 ** 400, "out_of_range", ("between",)),
        ]
        for label, value, code, mentions in bad_json_values:
            event = api_event(_batch_with(1, dict(VALID_RECORD, **{name: value}), single))
            cases.append(Case(f"{prefix}{name}_{label}", event, 400, code, (path,) + mentions, field=name, index=index))
        for label, token in [("nan", "NaN"), ("infinity", "Infinity"), ("minus_infinity", "-Infinity"), ("overflow", "1e999")]:
            cases.append(Case(f"{prefix}{name}_{label}", api_event(_raw_batch_with_token(name, token, single)), 400,
                              "non_finite", (path, "finite"), field=name, index=index))
    return cases


def _sex_value_cases(single: bool = False) -> list[Case]:
    prefix, index = ("single_", 0) if single else ("", 1)
    cases = []
    for label, value, code, mentions in [
        ("unknown_letter", "X", "invalid_category", ("F, I, M",)), ("word", "Male", "invalid_category", ("F, I, M",)),
        ("empty", "", "invalid_category", ("F, I, M",)), ("padded", " M", "invalid_category", ("F, I, M",)),
        ("number", 1, "invalid_type", ("string",)), ("null", None, "invalid_type", ("null",)),
        ("boolean", True, "invalid_type", ("boolean",)), ("array", ["M"], "invalid_type", ("array",)),
    ]:
        cases.append(Case(f"{prefix}sex_{label}", api_event(_batch_with(1, dict(VALID_RECORD, sex=value), single)), 400,
                          code, (f"instances[{index}].sex",) + mentions, field="sex", index=index))
    return cases


def _size_and_encoding_cases() -> list[Case]:
    padded = json.dumps({"instances": [VALID_RECORD]}) + " " * MAX_BODY_BYTES
    return [
        Case("oversized_body", api_event(padded), 413, "payload_too_large", (str(MAX_BODY_BYTES),)),
        Case("oversized_body_in_multibyte_characters", api_event('{"instances": "' + "é" * (MAX_BODY_BYTES // 2 + 1) + '"}'),
             413, "payload_too_large", (str(MAX_BODY_BYTES),)),
        Case("oversized_base64_body", api_event(padded, base64_encode=True), 413, "payload_too_large", (str(MAX_BODY_BYTES),)),
        Case("base64_flag_on_plain_json", dict(api_event(), isBase64Encoded=True), 400, "invalid_encoding", ("base64",)),
        Case("base64_of_latin1_bytes", api_event("{\"instances\": \"caf\xe9\"}".encode("latin-1"), base64_encode=True),
             400, "invalid_encoding", ("UTF-8",)),
        Case("base64_of_invalid_json", api_event("{nope", base64_encode=True), 400, "invalid_json", ("JSON",)),
        Case("base64_of_wrong_shape", api_event("[]", base64_encode=True), 400,
             "invalid_shape", ("JSON object",)),
    ]


def _routing_cases() -> list[Case]:
    cases = [Case(f"method_{method.lower()}_on_predict", api_event(method=method), 405, "method_not_allowed",
                  (method, "POST"), headers={"allow": "POST"}) for method in ("GET", "PUT", "DELETE", "PATCH")]
    cases += [Case(f"path_{name}", api_event(path=path), 404, "not_found", (path,))
              for name, path in [("root", "/"), ("plural", "/predictions"), ("nested", "/predict/extra"), ("other", "/invocations")]]
    cases.append(Case("not_an_http_api_event", {"instances": [VALID_RECORD]}, 400, "unsupported_event", ("HTTP API",)))
    return cases


def _content_type_cases() -> list[Case]:
    cases = [Case(f"content_type_{name}", api_event(headers={"content-type": value}), 415, "unsupported_media_type",
                  ("Content-Type",) + extra)
             for name, value, extra in [("text_plain", "text/plain", ("text/plain",)),
                                        ("form", "application/x-www-form-urlencoded", ("application/json",)),
                                        ("csv", "text/csv", ("text/csv",))]]
    cases.append(Case("content_type_missing", api_event(headers={}), 415, "unsupported_media_type", ("Content-Type",)))
    cases.append(Case("content_type_latin1_charset", api_event(headers={"content-type": "application/json; charset=latin-1"}),
                      415, "unsupported_media_type", ("utf-8",)))
    return cases


CORPUS = (_body_cases() + _shape_cases() + _field_presence_cases() + _numeric_value_cases() + _sex_value_cases()
          + _field_presence_cases(single=True) + _numeric_value_cases(single=True) + _sex_value_cases(single=True)
          + _size_and_encoding_cases() + _routing_cases() + _content_type_cases())


def test_corpus_has_at_least_100_distinct_malformed_requests():
    assert len(CORPUS) >= 100
    assert len({case.id for case in CORPUS}) == len(CORPUS)


@pytest.mark.parametrize("case", CORPUS, ids=[case.id for case in CORPUS])
def test_malformed_request_gets_a_4xx_naming_the_problem(service, case):
    response = service.handle(case.event, LambdaContext())

    assert response["statusCode"] == case.status
    error = response_json(response)["error"]
    assert set(error) == {"code", "message", "field", "index"}
    assert error["code"] == case.code
    for text in case.mentions:
        assert text in error["message"]
    assert (error["field"], error["index"]) == (case.field, case.index)
    if case.field is not None:
        assert case.field in error["message"]
    assert "Traceback" not in response["body"]
    for name, value in case.headers.items():
        assert response["headers"][name] == value
