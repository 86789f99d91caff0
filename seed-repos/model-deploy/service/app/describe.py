"""Describing client values in error messages: JSON type names, short quotes, field-name suggestions."""

from __future__ import annotations

import json
from typing import Any, Sequence


class NonFiniteNumber:
    """Stands in for the JSON tokens NaN, Infinity and -Infinity.

    They are not JSON (RFC 8259) and never valid model input; orjson refuses
    them, and the standard library's decoder, which the service falls back to
    for such bodies, decodes them to this marker so validation can report
    *which* field held one.
    """

    __slots__ = ("token",)

    def __init__(self, token: str) -> None:
        self.token = token

    def __repr__(self) -> str:
        return self.token


def json_type_name(value: Any) -> str:
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "boolean"
    if isinstance(value, (int, float)):
        return "number"
    if isinstance(value, str):
        return "string"
    if isinstance(value, list):
        return "array"
    if isinstance(value, dict):
        return "object"
    return type(value).__name__


def short(value: Any, limit: int = 40) -> str:
    """A value quoted as JSON, cut to ``limit`` characters (ASCII-escaped, so any string is safe to echo)."""
    text = value.token if isinstance(value, NonFiniteNumber) else json.dumps(value)
    return text if len(text) <= limit else text[: limit - 3] + "..."


def _normalise_name(name: str) -> str:
    return name.strip().lower().replace(" ", "_").replace("-", "_")


def suggest_field(name: Any, allowed: Sequence[str]) -> str | None:
    """The allowed field a misspelt ``name`` most likely meant, or None."""
    if not isinstance(name, str):
        return None
    normalised = _normalise_name(name)
    for field in allowed:
        if normalised == field:
            return field
    import difflib  # only for a misspelt name: 1 ms of cold start otherwise

    matches = difflib.get_close_matches(normalised, list(allowed), n=1, cutoff=0.6)
    return matches[0] if matches else None
