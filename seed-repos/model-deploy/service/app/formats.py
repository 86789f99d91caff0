"""Which request format a POST /predict body is in, from its Content-Type alone.

| Content-Type                            | format                                   |
| application/json                        | records: {"instances": [{...}, ...]}     |
| application/json; format=pandas-split   | columnar: {"columns": [...], "data": [[...]]} |
| text/csv                                | CSV rows in input order, no header        |

Anything else is a 415 naming the supported types. Only the utf-8 charset is
accepted (JSON is UTF-8 by RFC 8259; CSV is read as UTF-8 too).
"""

from __future__ import annotations

from functools import lru_cache

from .errors import RequestError

RECORDS, COLUMNAR, CSV = "records", "columnar", "csv"
JSON_MEDIA_TYPE, CSV_MEDIA_TYPE = "application/json", "text/csv"
SPLIT_FORMAT = "pandas-split"
SUPPORTED = f"{JSON_MEDIA_TYPE}, {JSON_MEDIA_TYPE}; format={SPLIT_FORMAT} or {CSV_MEDIA_TYPE}"


def _unsupported(message: str) -> RequestError:
    return RequestError(415, "unsupported_media_type", message)


# Clients send a handful of distinct headers; parsing each once keeps the 1-record path short. Errors are not cached.
@lru_cache(maxsize=64)
def request_format(content_type: str | None) -> str:
    if content_type is None:
        raise _unsupported(f"send the request with a Content-Type header: {SUPPORTED}")
    media_type, *raw_params = content_type.split(";")
    media_type = media_type.strip().lower()
    params = {}
    for param in raw_params:
        key, _, value = param.partition("=")
        params[key.strip().lower()] = value.strip().strip('"').lower()
    if params.get("charset", "utf-8") not in ("utf-8", "utf8"):
        raise _unsupported(f"Content-Type {content_type.strip()[:100]!r}: only the utf-8 charset is supported")
    if media_type == JSON_MEDIA_TYPE:
        fmt = params.get("format")
        if fmt is None:
            return RECORDS
        if fmt == SPLIT_FORMAT:
            return COLUMNAR
        raise _unsupported(f"Content-Type {content_type.strip()[:100]!r}: format={fmt[:40]!r} is not supported; "
                           f"use {JSON_MEDIA_TYPE} (records) or {JSON_MEDIA_TYPE}; format={SPLIT_FORMAT} (columnar)")
    if media_type == CSV_MEDIA_TYPE:
        if params.get("header", "absent") != "absent":  # RFC 4180's header parameter
            raise _unsupported(f"Content-Type {content_type.strip()[:100]!r}: CSV bodies have no header row (header=absent); "
                               "send values only, in input order")
        return CSV
    raise _unsupported(f"Content-Type {content_type.strip()[:100]!r} is not supported; use {SUPPORTED}")
