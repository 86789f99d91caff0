"""One-line JSON log records on stdout (CloudWatch Logs reads the Lambda's stdout)."""

from __future__ import annotations

import json
import sys
from typing import Any, TextIO

import orjson

# The fallback for what orjson refuses (e.g. a logged request body with a lone surrogate):
# built once, since json.dumps with any option builds a new encoder on every call.
_ENCODER = json.JSONEncoder(separators=(",", ":"), default=str)


class JsonLogger:
    def __init__(self, stream: TextIO | None = None) -> None:
        self._stream = stream  # None: sys.stdout at the time of each call

    def emit(self, record: dict[str, Any]) -> None:
        stream = self._stream if self._stream is not None else sys.stdout
        try:
            line = orjson.dumps(record, default=str, option=orjson.OPT_APPEND_NEWLINE).decode()
        except TypeError:
            line = _ENCODER.encode(record) + "\n"
        stream.write(line)
        stream.flush()
