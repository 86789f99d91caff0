"""Runtime settings read from environment variables once, at init.

A bad value stops the function at init with a message naming the variable,
rather than surfacing later as odd behaviour on some requests.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from typing import Mapping

DEFAULT_MAX_RECORDS = 1000
# 256 KiB: room for DEFAULT_MAX_RECORDS records (about 170 bytes of JSON each),
# and far below the 6 MB synchronous Lambda payload limit.
DEFAULT_MAX_BODY_BYTES = 256 * 1024
# One thread: Lambda gives a single vCPU below 1,769 MB of memory, and for the
# request sizes allowed here a thread pool costs more than it saves.
DEFAULT_XGBOOST_NTHREAD = 1
# Upper limits that catch typos (e.g. a byte count given where records were meant).
MAX_RECORDS_LIMIT = 100_000
MAX_BODY_BYTES_LIMIT = 6 * 1000 * 1000  # Lambda's synchronous invocation payload limit
MAX_NTHREAD = 6  # Lambda's largest size has 6 vCPUs


class ConfigError(RuntimeError):
    """An environment variable holds a value the service cannot run with."""


@dataclass(frozen=True)
class Settings:
    model_dir: str
    max_records: int
    max_body_bytes: int
    log_payloads: bool
    xgboost_nthread: int


def _bounded_int(env: Mapping[str, str], name: str, default: int, upper: int) -> int:
    raw = env.get(name)
    if raw is None or raw.strip() == "":
        return default
    try:
        value = int(raw.strip())
    except ValueError:
        raise ConfigError(f"environment variable {name}={raw!r} is not an integer") from None
    if not 1 <= value <= upper:
        raise ConfigError(f"environment variable {name}={raw!r} must be between 1 and {upper}")
    return value


def _bool(env: Mapping[str, str], name: str) -> bool:
    raw = env.get(name, "").strip().lower()
    if raw in ("", "0", "false", "no", "off"):
        return False
    if raw in ("1", "true", "yes", "on"):
        return True
    raise ConfigError(f"environment variable {name}={env.get(name)!r} is not a boolean (use true or false)")


def default_model_dir(env: Mapping[str, str]) -> str:
    """MODEL_DIR, else ${LAMBDA_TASK_ROOT}/model (where the Dockerfile copies it), else ./model beside app/."""
    if env.get("MODEL_DIR"):
        return env["MODEL_DIR"]
    task_root = env.get("LAMBDA_TASK_ROOT") or os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
    return os.path.join(task_root, "model")


def load_settings(env: Mapping[str, str] | None = None) -> Settings:
    env = os.environ if env is None else env
    return Settings(
        model_dir=default_model_dir(env),
        max_records=_bounded_int(env, "MAX_RECORDS", DEFAULT_MAX_RECORDS, MAX_RECORDS_LIMIT),
        max_body_bytes=_bounded_int(env, "MAX_BODY_BYTES", DEFAULT_MAX_BODY_BYTES, MAX_BODY_BYTES_LIMIT),
        log_payloads=_bool(env, "LOG_PAYLOADS"),
        xgboost_nthread=_bounded_int(env, "XGBOOST_NTHREAD", DEFAULT_XGBOOST_NTHREAD, MAX_NTHREAD),
    )
