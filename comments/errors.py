"""The one error type that user input raises, carried to the one JSON/HTML error shape."""

from __future__ import annotations


class InputError(Exception):
    """Bad input from a user: an HTTP status, a stable code and a message in Chinese."""

    def __init__(
        self, code: str, message: str, status: int = 400, *, retry_after: int | None = None
    ) -> None:
        super().__init__(message)
        self.code = code
        self.message = message
        self.status = status
        self.retry_after = retry_after  # seconds, sent as Retry-After with 429/503

    def to_dict(self) -> dict[str, dict[str, str]]:
        return {"error": {"code": self.code, "message": self.message}}
