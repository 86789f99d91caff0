"""Nothing a client sends may produce a 5xx: every malformed request in this
generated corpus gets a 4xx JSON error whose message names the problem, with
``field`` and ``index`` pointing at it.

The corpus covers the three request formats: JSON records (``_body_cases`` ...
``_category_value_cases``), columnar JSON (``_columnar_shape_cases``,
``_columnar_value_cases``) and CSV (``_csv_shape_cases``, ``_csv_value_cases``);
``CORPUS`` holds them all. Every event is under Lambda's 6 MB request limit.

Field names, categories and bounds come from the model under test (tests/model_under_test.py),
so the corpus follows the artifact: a model with a feature fewer or more gets its own corpus.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field as dataclass_field

import pytest

from http_events import LambdaContext, api_event, columnar_body, columnar_event, csv_event, csv_row, response_json
from model_under_test import (BOUNDS, CATEGORICAL_FIELDS, CATEGORIES, INPUT_FIELDS, NUMERIC_FIELDS, TARGET, VALID_RECORD,
                              above_maximum, allowed_text, below_minimum, far_above_maximum, misspelling, unknown_category)

WIDTH = len(INPUT_FIELDS)
LABEL = TARGET or "label"  # a training label sent as if it were an input
UNKNOWN_FIELD = "qqqq"  # close to no field name, so the message lists the expected fields
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


def bad_json_numbers(field: str) -> list[tuple]:
    """(label, JSON value or None, raw JSON token or None, code, mentions): every bad value of a numeric field, in any JSON format."""
    below, above, far = below_minimum(field), above_maximum(field), far_above_maximum(field)
    return [
        ("string", str(VALID_RECORD[field]), None, "invalid_type", ("string", "without quotes")),
        ("empty_string", "", None, "invalid_type", ("string",)),
        ("boolean", True, None, "invalid_type", ("boolean",)),
        ("null", None, None, "invalid_type", ("null",)),
        ("array", [VALID_RECORD[field]], None, "invalid_type", ("array",)),
        ("object", {"value": VALID_RECORD[field]}, None, "invalid_type", ("object",)),
        ("below_minimum", below, None, "out_of_range", (json.dumps(below), "between")),
        ("above_maximum", above, None, "out_of_range", (json.dumps(above), "between")),
        ("a_thousand_times_too_large", far, None, "out_of_range", (str(far), "between")),
        ("huge_integer", 10 ** 400, None, "out_of_range", ("between",)),
        ("nan", None, "NaN", "non_finite", ("finite",)),
        ("infinity", None, "Infinity", "non_finite", ("finite",)),
        ("minus_infinity", None, "-Infinity", "non_finite", ("finite",)),
        ("overflow", None, "1e999", "non_finite", ("finite",)),
    ]


def bad_category_values(field: str) -> list[tuple]:
    """(label, JSON value, code, mentions): every bad value of a categorical field."""
    allowed, first = allowed_text(field), CATEGORIES[field][0]
    return [
        ("unknown", unknown_category(field), "invalid_category", (allowed,)),
        ("word", f"{unknown_category(field)}-{first}", "invalid_category", (allowed,)),
        ("empty", "", "invalid_category", (allowed,)), ("padded", f" {first}", "invalid_category", (allowed,)),
        ("number", 1, "invalid_type", ("string",)), ("null", None, "invalid_type", ("null",)),
        ("boolean", True, "invalid_type", ("boolean",)), ("array", [first], "invalid_type", ("array",)),
    ]


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
        "trailing_comma": '{"instances": [1,],}', "xml": "<instances/>", "csv": csv_row(VALID_RECORD),
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


def _field_presence_cases(single: bool = False) -> list[Case]:
    prefix, at = ("single_", lambda _index: 0) if single else ("", lambda index: index)
    cases = []
    for position, name in enumerate(INPUT_FIELDS):
        missing = {k: v for k, v in VALID_RECORD.items() if k != name}
        cases.append(Case(f"{prefix}missing_{name}", api_event(_batch_with(1, missing, single)), 400, "missing_field",
                          (f'"{name}"', f"instances[{at(1)}]"), field=name, index=at(1)))
        typo = misspelling(name, position)
        misspelt = dict(missing, **{typo: VALID_RECORD[name]})
        cases.append(Case(f"{prefix}misspelt_{name}", api_event(_batch_with(2, misspelt, single)), 400, "unknown_field",
                          (typo, f'did you mean "{name}"', f"instances[{at(2)}]"), field=typo, index=at(2)))
    cases.append(Case(f"{prefix}extra_field_unknown", api_event(_batch_with(0, dict(VALID_RECORD, **{UNKNOWN_FIELD: 10}), single)),
                      400, "unknown_field", (f'"{UNKNOWN_FIELD}"', "instances[0]", "expected fields"), field=UNKNOWN_FIELD, index=0))
    cases.append(Case(f"{prefix}extra_field_label", api_event(_batch_with(1, dict(VALID_RECORD, **{LABEL: 9}), single)), 400,
                      "unknown_field", (f'"{LABEL}"',), field=LABEL, index=at(1)))
    first = INPUT_FIELDS[0]
    cases.append(Case(f"{prefix}empty_record", api_event(_batch_with(1, {}, single)), 400, "missing_field", (f'"{first}"',),
                      field=first, index=at(1)))
    return cases


def _numeric_value_cases(single: bool = False) -> list[Case]:
    prefix, index = ("single_", 0) if single else ("", 1)
    cases = []
    for name in NUMERIC_FIELDS:
        path = f"instances[{index}].{name}"
        for label, value, token, code, mentions in bad_json_numbers(name):
            if token is None:
                event = api_event(_batch_with(1, dict(VALID_RECORD, **{name: value}), single))
            else:
                event = api_event(_raw_batch_with_token(name, token, single))
            cases.append(Case(f"{prefix}{name}_{label}", event, 400, code, (path,) + mentions, field=name, index=index))
    return cases


def _category_value_cases(single: bool = False) -> list[Case]:
    prefix, index = ("single_", 0) if single else ("", 1)
    cases = []
    for name in CATEGORICAL_FIELDS:
        for label, value, code, mentions in bad_category_values(name):
            cases.append(Case(f"{prefix}{name}_{label}", api_event(_batch_with(1, dict(VALID_RECORD, **{name: value}), single)),
                              400, code, (f"instances[{index}].{name}",) + mentions, field=name, index=index))
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
                                        ("tsv", "text/tab-separated-values", ("text/csv",)),
                                        ("pandas_records", "application/json; format=pandas-records",
                                         ("pandas-records", "format=pandas-split")),
                                        ("csv_with_header", "text/csv; header=present", ("header",)),
                                        ("csv_latin1_charset", "text/csv; charset=latin-1", ("utf-8",))]]
    cases.append(Case("content_type_missing", api_event(headers={}), 415, "unsupported_media_type", ("Content-Type",)))
    cases.append(Case("content_type_latin1_charset", api_event(headers={"content-type": "application/json; charset=latin-1"}),
                      415, "unsupported_media_type", ("utf-8",)))
    return cases


# --------------------------------------------------------------------------- columnar JSON



def _columnar_with(field: str, value, token: str | None, rows: int, index: int) -> str:
    """A columnar body of ``rows`` valid rows, row ``index``'s ``field`` set to ``value`` (or to a raw JSON token)."""
    placeholder = "__TOKEN__"
    records = [dict(VALID_RECORD) for _ in range(rows)]
    records[index][field] = placeholder if token is not None else value
    text = json.dumps(columnar_body(records))
    return text.replace(f'"{placeholder}"', token) if token is not None else text


def _columnar_shape_cases() -> list[Case]:
    valid = columnar_body([VALID_RECORD, VALID_RECORD])
    reordered = list(reversed(INPUT_FIELDS))
    last = INPUT_FIELDS[-1]
    without_last = INPUT_FIELDS[:-1]
    first, second = INPUT_FIELDS[0], INPUT_FIELDS[1]
    bad_field = NUMERIC_FIELDS[-1]
    cases = [
        Case("columnar_not_json", columnar_event('{"columns": ['), 400, "invalid_json", ("JSON",)),
        Case("columnar_empty_body", columnar_event(""), 400, "invalid_json", ("empty",)),
        Case("columnar_top_level_array", columnar_event(json.dumps(valid["data"])), 400, "invalid_shape", ("JSON object", "array")),
        Case("columnar_records_body", columnar_event({"instances": [VALID_RECORD]}), 400, "unknown_field",
             ("Content-Type: application/json",), field="instances"),
        Case("columnar_with_pandas_index", columnar_event(dict(valid, index=[0, 1])), 400, "unknown_field",
             ("index=False",), field="index"),
        Case("columnar_misspelt_columns", columnar_event({"colums": valid["columns"], "data": valid["data"]}), 400,
             "unknown_field", ('did you mean "columns"',), field="colums"),
        Case("columnar_missing_columns", columnar_event({"data": valid["data"]}), 400, "missing_field", ('"columns"',), field="columns"),
        Case("columnar_missing_data", columnar_event({"columns": valid["columns"]}), 400, "missing_field", ('"data"',), field="data"),
        Case("columnar_columns_is_string", columnar_event(dict(valid, columns=",".join(INPUT_FIELDS[:2]))), 400, "invalid_type",
             ("columns", "field names"), field="columns"),
        Case("columnar_columns_has_number", columnar_event(dict(valid, columns=valid["columns"][:-1] + [7])), 400,
             "invalid_type", ("columns",), field="columns"),
        Case("columnar_duplicate_column", columnar_event(dict(valid, columns=[first, first] + INPUT_FIELDS[2:])), 400,
             "duplicate_field", (f'"{first}"', "twice"), field=first),
        Case("columnar_misspelt_column", columnar_event(dict(valid, columns=[first, misspelling(second)] + INPUT_FIELDS[2:])),
             400, "unknown_field", (misspelling(second), f'did you mean "{second}"'), field=misspelling(second)),
        Case("columnar_label_column", columnar_event(dict(valid, columns=INPUT_FIELDS + [LABEL],
                                                          data=[row + [9] for row in valid["data"]])), 400,
             "unknown_field", (f'"{LABEL}"', "expected columns"), field=LABEL),
        Case("columnar_missing_column", columnar_event(columnar_body([VALID_RECORD], without_last)), 400, "missing_field",
             (f'"{last}"',), field=last),
        Case("columnar_data_is_object", columnar_event(dict(valid, data={"0": valid["data"][0]})), 400, "invalid_type",
             ("data", "array of rows", "object"), field="data"),
        Case("columnar_data_empty", columnar_event(dict(valid, data=[])), 400, "empty_data", ("at least one row",), field="data"),
        Case("columnar_too_many_rows", columnar_event(columnar_body([VALID_RECORD] * (MAX_RECORDS + 1))), 400,
             "too_many_records", (str(MAX_RECORDS + 1), str(MAX_RECORDS)), field="data"),
        Case("columnar_row_is_object", columnar_event(dict(valid, data=[valid["data"][0], VALID_RECORD])), 400, "invalid_type",
             ("data[1]", f"array of {WIDTH} values", "object"), field="data", index=1),
        Case("columnar_row_is_null", columnar_event(dict(valid, data=[valid["data"][0], None])), 400, "invalid_type",
             ("data[1]", "null"), field="data", index=1),
        Case("columnar_row_too_short", columnar_event(dict(valid, data=[valid["data"][0], valid["data"][1][:-1]])), 400,
             "wrong_field_count", ("data[1]", f"{WIDTH - 1} values", f"expected {WIDTH}"), field="data", index=1),
        Case("columnar_row_too_long", columnar_event(dict(valid, data=[valid["data"][0] + [9], valid["data"][1]])), 400,
             "wrong_field_count", ("data[0]", f"{WIDTH + 1} values"), field="data", index=0),
        # Columns in another order are valid; a bad value is still located by its own column.
        Case("columnar_reordered_columns_bad_value",
             columnar_event(columnar_body([VALID_RECORD, dict(VALID_RECORD, **{bad_field: below_minimum(bad_field)})], reordered)),
             400, "out_of_range", (f"data[1][{reordered.index(bad_field)}] ({bad_field})",), field=bad_field, index=1),
    ]
    return cases


def _columnar_value_cases(rows: int = 3, index: int = 1) -> list[Case]:
    prefix = "columnar_single_" if rows == 1 else "columnar_"
    cases = []
    for name in NUMERIC_FIELDS:
        where = f"data[{index}][{INPUT_FIELDS.index(name)}] ({name})"
        for label, value, token, code, mentions in bad_json_numbers(name):
            event = columnar_event(_columnar_with(name, value, token, rows, index))
            cases.append(Case(f"{prefix}{name}_{label}", event, 400, code, (where,) + mentions, field=name, index=index))
    for name in CATEGORICAL_FIELDS:
        where = f"data[{index}][{INPUT_FIELDS.index(name)}] ({name})"
        for label, value, code, mentions in bad_category_values(name):
            event = columnar_event(_columnar_with(name, value, None, rows, index))
            cases.append(Case(f"{prefix}{name}_{label}", event, 400, code, (where,) + mentions, field=name, index=index))
    return cases


# --------------------------------------------------------------------------- CSV

VALID_ROW = csv_row(VALID_RECORD)
def _exponent_text(value: float, beyond: float) -> str:
    """``value`` written with an exponent (1.234e+00), unless rounding to 4 digits would bring it back within ``beyond``."""
    text = f"{value:.3e}"
    return text if abs(float(text)) > abs(beyond) else repr(value)


def bad_csv_numbers(field: str) -> list[tuple]:
    """(label, cell text, code, mentions): every bad cell of a numeric field."""
    hi = BOUNDS[field][1]
    below, above, far = repr(below_minimum(field)), _exponent_text(above_maximum(field), hi), str(far_above_maximum(field))
    return [
        ("letters", "abc", "invalid_type", ('"abc"', "number")),
        ("empty", "", "invalid_type", ("empty",)),
        ("quoted", '"0.5"', "invalid_type", ("number",)),
        ("padded", " 0.5", "invalid_type", ("number",)),
        ("trailing_space", "0.5 ", "invalid_type", ("number",)),
        ("underscore", "0_5", "invalid_type", ("number",)),
        ("hex", "0x1p-2", "invalid_type", ("number",)),
        ("two_points", "0.4.5", "invalid_type", ("number",)),
        ("leading_point", ".5", "invalid_type", ("written as in JSON",)),
        ("plus_sign", "+0.5", "invalid_type", ("written as in JSON",)),
        ("leading_zero", "00.5", "invalid_type", ("written as in JSON",)),
        ("bare_exponent", "1e", "invalid_type", ("number",)),
        ("decimal_comma", "0;5", "invalid_type", ("number",)),
        ("nan", "nan", "non_finite", ("finite",)),
        ("NaN", "NaN", "non_finite", ("finite",)),
        ("inf", "inf", "non_finite", ("finite",)),
        ("minus_infinity", "-Infinity", "non_finite", ("finite",)),
        ("overflow", "1e999", "out_of_range", ("1e999", "between")),
        ("below_minimum", below, "out_of_range", (below, "between")),
        ("above_maximum", above, "out_of_range", (above, "between")),
        ("a_thousand_times_too_large", far, "out_of_range", (far, "between")),
        ("huge_integer", "9" * 400, "out_of_range", ("between",)),
    ]


def bad_csv_categories(field: str) -> list[tuple]:
    """(label, cell text, code, mentions): every bad cell of a categorical field."""
    allowed, first, unknown = allowed_text(field), CATEGORIES[field][0], unknown_category(field)
    return [
        ("unknown", unknown, "invalid_category", (allowed,)), ("word", f"{unknown}-{first}", "invalid_category", (allowed,)),
        ("empty", "", "invalid_category", (allowed,)), ("padded", f" {first}", "invalid_category", (allowed,)),
        ("quoted", f'"{first}"', "invalid_category", ("unquoted",)), ("number", "12345", "invalid_category", (allowed,)),
    ]


def _csv_with_cell(position: int, cell: str, rows: int, index: int) -> str:
    lines = [VALID_ROW.split(",") for _ in range(rows)]
    lines[index][position] = cell
    return "".join(",".join(line) + "\n" for line in lines)


def _csv_shape_cases() -> list[Case]:
    header = ",".join(INPUT_FIELDS)
    cases = [
        Case("csv_empty_body", csv_event(""), 400, "invalid_csv", ("empty",)),
        Case("csv_header_row", csv_event(f"{header}\n{VALID_ROW}\n"), 400, "header_row", ("header",), index=0),
        Case("csv_blank_first_line", csv_event(f"\n{VALID_ROW}\n"), 400, "blank_row", ("row 0 (line 1)", "blank"), index=0),
        Case("csv_blank_middle_line", csv_event(f"{VALID_ROW}\n\n{VALID_ROW}\n"), 400, "blank_row", ("row 1 (line 2)",), index=1),
        Case("csv_blank_last_line", csv_event(f"{VALID_ROW}\n{VALID_ROW}\n\n"), 400, "blank_row", ("row 2 (line 3)",), index=2),
        Case("csv_blank_line_crlf", csv_event(f"{VALID_ROW}\r\n\r\n{VALID_ROW}\r\n"), 400, "blank_row", ("row 1",), index=1),
        Case("csv_only_a_line_end", csv_event("\n"), 400, "blank_row", ("row 0",), index=0),
        Case("csv_row_too_short", csv_event(f"{VALID_ROW}\n{VALID_ROW.rsplit(',', 1)[0]}\n"), 400, "wrong_field_count",
             ("row 1 (line 2)", f"{WIDTH - 1} values", f"expected {WIDTH}"), index=1),
        Case("csv_row_with_label", csv_event(f"9,{VALID_ROW}\n"), 400, "wrong_field_count",
             ("row 0", f"{WIDTH + 1} values", "no label column"), index=0),
        Case("csv_trailing_comma", csv_event(f"{VALID_ROW},\n"), 400, "wrong_field_count", (f"{WIDTH + 1} values",), index=0),
        Case("csv_semicolons", csv_event(VALID_ROW.replace(",", ";") + "\n"), 400, "wrong_field_count", ("1 values",), index=0),
        Case("csv_json_body", csv_event(json.dumps({"instances": [VALID_RECORD]})), 400, "invalid_csv",
             ("row 0", "Content-Type: application/json"), index=0),
        Case("csv_too_many_rows", csv_event((VALID_ROW + "\n") * (MAX_RECORDS + 1)), 400, "too_many_records",
             (str(MAX_RECORDS + 1), str(MAX_RECORDS))),
        Case("csv_base64_latin1", csv_event(("é" + VALID_ROW[1:]).encode("latin-1"), base64_encode=True), 400,
             "invalid_encoding", ("UTF-8",)),
        Case("csv_oversized", csv_event((VALID_ROW + "\n") * (MAX_BODY_BYTES // len(VALID_ROW) + 1)), 413,
             "payload_too_large", (str(MAX_BODY_BYTES),)),
    ]
    return cases


def _csv_value_cases(rows: int = 3, index: int = 1) -> list[Case]:
    prefix = "csv_single_" if rows == 1 else "csv_"
    cases = []
    for name in NUMERIC_FIELDS:
        position = INPUT_FIELDS.index(name)
        where = f"row {index} (line {index + 1}) column {position + 1} ({name})"
        for label, cell, code, mentions in bad_csv_numbers(name):
            event = csv_event(_csv_with_cell(position, cell, rows, index))
            cases.append(Case(f"{prefix}{name}_{label}", event, 400, code, (where,) + mentions, field=name, index=index))
    for name in CATEGORICAL_FIELDS:
        position = INPUT_FIELDS.index(name)
        where = f"row {index} (line {index + 1}) column {position + 1} ({name})"
        for label, cell, code, mentions in bad_csv_categories(name):
            event = csv_event(_csv_with_cell(position, cell, rows, index))
            cases.append(Case(f"{prefix}{name}_{label}", event, 400, code, (where,) + mentions, field=name, index=index))
    return cases


CORPUS = (_body_cases() + _shape_cases() + _field_presence_cases() + _numeric_value_cases() + _category_value_cases()
          + _field_presence_cases(single=True) + _numeric_value_cases(single=True) + _category_value_cases(single=True)
          + _size_and_encoding_cases() + _routing_cases() + _content_type_cases()
          + _columnar_shape_cases() + _columnar_value_cases() + _columnar_value_cases(rows=1, index=0)
          + _csv_shape_cases() + _csv_value_cases() + _csv_value_cases(rows=1, index=0))


def test_corpus_has_at_least_100_distinct_malformed_requests_per_format():
    assert len({case.id for case in CORPUS}) == len(CORPUS)
    for prefix in ("columnar_", "csv_"):
        assert sum(case.id.startswith(prefix) for case in CORPUS) >= 100
    assert sum(not case.id.startswith(("columnar_", "csv_")) for case in CORPUS) >= 100


def test_every_event_in_the_corpus_fits_in_a_synchronous_lambda_invocation():
    # Lambda's synchronous invocation payload limit is 6 MB (https://docs.aws.amazon.com/lambda/latest/dg/gettingstarted-limits.html);
    # larger requests are rejected before they reach the function.
    for case in CORPUS:
        assert len(json.dumps(case.event).encode("utf-8")) < 6 * 1000 * 1000, case.id


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
