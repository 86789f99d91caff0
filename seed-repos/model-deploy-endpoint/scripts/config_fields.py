"""Typed reads of one key of a JSON config object; every error names the key path, e.g. ``realTime.deployment.stepPercent``."""

from __future__ import annotations

from typing import Any

TOP_LEVEL = "(top level)"


class ConfigError(ValueError):
    """A stage config is invalid; the message names the file and the key."""


def key_path(where: str, key: str) -> str:
    return key if where == TOP_LEVEL else f"{where}.{key}"


def json_object(doc: Any, where: str, keys: tuple[str, ...], required: tuple[str, ...]) -> dict:
    """``doc`` as an object with only ``keys`` and every one of ``required``."""
    if not isinstance(doc, dict):
        raise ConfigError(f"{where}: must be a JSON object")
    unknown = [k for k in doc if k not in keys]
    if unknown:
        raise ConfigError(f"{key_path(where, unknown[0])}: unknown key (allowed: {', '.join(keys)})")
    missing = [k for k in required if k not in doc]
    if missing:
        raise ConfigError(f"{key_path(where, missing[0])}: missing")
    return doc


def integer(doc: dict, key: str, where: str, low: int, high: int) -> int:
    value = doc[key]
    if isinstance(value, bool) or not isinstance(value, int):
        raise ConfigError(f"{key_path(where, key)}: must be an integer, got {value!r}")
    if not low <= value <= high:
        raise ConfigError(f"{key_path(where, key)}: {value} is out of range {low}..{high}")
    return value


def fraction(doc: dict, key: str, where: str) -> float:
    """A number from 0 to 1 (a share of invocations)."""
    value = doc[key]
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        raise ConfigError(f"{key_path(where, key)}: must be a number from 0 to 1, got {value!r}")
    if not 0 <= value <= 1:
        raise ConfigError(f"{key_path(where, key)}: {value} is out of range 0..1 (a share: 0.01 = 1%)")
    return float(value)


def choice(doc: dict, key: str, where: str, allowed: tuple) -> Any:
    value = doc[key]
    if value not in allowed or isinstance(value, bool):
        raise ConfigError(f"{key_path(where, key)}: {value!r} is not one of {', '.join(map(str, allowed))}")
    return value
