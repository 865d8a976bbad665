"""Expected failures returned in mutation payloads, and the status of one batch item."""

from __future__ import annotations

from enum import Enum

import strawberry

from api.context import Info
from api.errors import DomainError


@strawberry.type(description="Something wrong with the input, said in plain words.")
class UserError:
    field: str | None
    code: str
    error: strawberry.Private[DomainError]

    @strawberry.field(description="In the request's language: Welsh where it has been written.")
    def message(self, info: Info) -> str:
        return self.error.message_in(info.context.language)

    @classmethod
    def of(cls, error: DomainError) -> UserError:
        return cls(field=error.field, code=error.code, error=error)

    @classmethod
    def all_of(cls, error: DomainError) -> list[UserError]:
        """Every problem in an error (an InvalidInput carries several)."""
        return [cls.of(e) for e in getattr(error, "errors", None) or [error]]


@strawberry.enum(description="What happened to one item of a batch sent from a device.")
class BatchStatus(Enum):
    CREATED = "CREATED"
    UPDATED = "UPDATED"
    UNCHANGED = "UNCHANGED"
    CONFLICT = "CONFLICT"
    REJECTED = "REJECTED"
