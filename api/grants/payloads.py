"""Mutation payloads of the grants domain: the result, or (nothing written) `userErrors`."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import TypeVar

import strawberry

from api.context import Info
from api.errors import BadInput, Conflict, InvalidInput
from api.grants.errors import RuleBroken
from api.grants.outputs import (
    ApplicationAttachment,
    GrantApplicationType,
    GrantReportType,
    GrantRoundType,
    TrancheType,
)
from api.grants.panel_outputs import ConflictDeclarationType, ReviewType
from api.shared.user_errors import UserError

T = TypeVar("T")
# Expected failures: returned in the payload. Anything else (permissions) is a GraphQL error.
EXPECTED = (RuleBroken, InvalidInput, BadInput, Conflict)


async def attempt(info: Info, call: Callable[[], Awaitable[T]]) -> tuple[T | None, list[UserError]]:
    try:
        return await call(), []
    except EXPECTED as error:
        return None, UserError.all_of(error)


@strawberry.type
class GrantRoundPayload:
    round: GrantRoundType | None = None
    user_errors: list[UserError] = strawberry.field(default_factory=list)


@strawberry.type
class GrantApplicationPayload:
    application: GrantApplicationType | None = None
    user_errors: list[UserError] = strawberry.field(default_factory=list)


@strawberry.type
class ConflictDeclarationPayload:
    declaration: ConflictDeclarationType | None = None
    user_errors: list[UserError] = strawberry.field(default_factory=list)


@strawberry.type
class ReviewPayload:
    review: ReviewType | None = None
    user_errors: list[UserError] = strawberry.field(default_factory=list)


@strawberry.type
class TranchePayload:
    tranche: TrancheType | None = None
    user_errors: list[UserError] = strawberry.field(default_factory=list)


@strawberry.type
class AttachmentPayload:
    attachment: ApplicationAttachment | None = None
    user_errors: list[UserError] = strawberry.field(default_factory=list)


@strawberry.type
class GrantReportPayload:
    report: GrantReportType | None = None
    user_errors: list[UserError] = strawberry.field(default_factory=list)
