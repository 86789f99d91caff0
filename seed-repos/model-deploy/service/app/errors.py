"""The one exception type that carries a client error to the HTTP response."""

from __future__ import annotations


class RequestError(Exception):
    """A problem with the client's request; always answered with a 4xx status.

    ``field`` names the offending field (``"length"``, or ``"instances"`` for the
    list itself) and ``index`` the position of the offending record in
    ``instances``; either is ``None`` when the problem is not located there.
    Both keys are always present in the response body, so clients can rely on
    one error shape.
    """

    def __init__(self, status: int, code: str, message: str, field: str | None = None,
                 index: int | None = None, headers: dict[str, str] | None = None) -> None:
        super().__init__(message)
        if not 400 <= status < 500:
            raise ValueError(f"RequestError status must be 4xx, got {status}")
        self.status = status
        self.code = code
        self.message = message
        self.field = field
        self.index = index
        self.headers = headers or {}

    def to_body(self) -> dict:
        return {"error": {"code": self.code, "message": self.message, "field": self.field, "index": self.index}}
