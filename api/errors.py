"""Domain errors. Services raise them; the GraphQL layer maps them to `extensions.code`
and the REST layer to an HTTP status. Their messages are written for people, in English and,
where written, in Welsh (`cy`): the request's language picks one."""

from __future__ import annotations

from collections.abc import Sequence

from api.shared.language import Language, pick


class DomainError(Exception):
    code = "BAD_USER_INPUT"
    http_status = 400

    def __init__(self, message: str, *, field: str | None = None, cy: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.message_cy = cy
        self.field = field

    def message_in(self, language: Language) -> str:
        return pick(language, self.message, self.message_cy) or self.message


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
            "; ".join(f"{e.field}: {e.message}" if e.field else e.message for e in errors),
            cy="; ".join(
                f"{e.field}: {e.message_in(Language.CY)}" if e.field else e.message_in(Language.CY)
                for e in errors
            ),
        )
        self.errors = list(errors)
        if len(self.errors) == 1:  # raised as a GraphQL error, it still names the field
            self.field = self.errors[0].field


INTERNAL = "INTERNAL"
