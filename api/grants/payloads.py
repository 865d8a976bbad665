"""Mutation payloads of the grants domain: the result, or (nothing written) `userErrors`."""

from __future__ import annotations

import strawberry

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

# Expected failures: returned in the payload. Anything else (permissions) is a GraphQL error.
EXPECTED = (RuleBroken, InvalidInput, BadInput, Conflict)


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
