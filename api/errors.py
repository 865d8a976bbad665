"""Domain errors. Services raise them; the GraphQL layer maps them to `extensions.code`
and the REST layer to an HTTP status. Their messages are written for people."""

from __future__ import annotations

from collections.abc import Sequence


class DomainError(Exception):
    code = "BAD_USER_INPUT"
    http_status = 400

    def __init__(self, message: str, *, field: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.field = field


class BadInput(DomainError):
    code = "BAD_USER_INPUT"
    http_status = 400


class Unauthenticated(DomainError):
    code = "UNAUTHENTICATED"
    http_status = 401


class Forbidden(DomainError):
    code = "FORBIDDEN"
    http_status = 403


class NotFound(DomainError):
    code = "NOT_FOUND"
    http_status = 404


class Conflict(DomainError):
    code = "CONFLICT"
    http_status = 409


class RateLimited(DomainError):
    code = "RATE_LIMITED"
    http_status = 429


class InvalidInput(DomainError):
    """Several expected input problems at once; nothing was written."""

    def __init__(self, errors: Sequence[DomainError]) -> None:
        super().__init__(
            "; ".join(f"{e.field}: {e.message}" if e.field else e.message for e in errors)
        )
        self.errors = list(errors)


INTERNAL = "INTERNAL"
