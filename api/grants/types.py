"""GraphQL for micro-grants: parse, ask who is asking, call the service, map the result.
Expected failures come back as `userErrors`; permission failures as GraphQL errors."""

from __future__ import annotations

import uuid
from collections.abc import Awaitable, Callable
from functools import partial
from typing import Any

import strawberry
from strawberry.file_uploads import Upload

from api.context import Info
from api.grants import (
    applications,
    attachments,
    decisions,
    outcomes,
    panel,
    payments,
    reports,
    rounds,
    summary,
    transitions,
)
from api.grants.inputs import (
    DecisionInput,
    GrantApplicationInput,
    GrantReportInput,
    GrantRoundInput,
    PaymentInput,
    ReviewInputType,
)
from api.grants.lifecycle import Status
from api.grants.models import GrantRound
from api.grants.outputs import (
    ApplicationAttachment,
    GrantApplicationType,
    GrantReportType,
    GrantRoundType,
    TrancheType,
)
from api.grants.panel_outputs import ConflictDeclarationType, PanelSummaryType, ReviewType
from api.grants.payloads import (
    EXPECTED,
    AttachmentPayload,
    ConflictDeclarationPayload,
    GrantApplicationPayload,
    GrantReportPayload,
    GrantRoundPayload,
    ReviewPayload,
    TranchePayload,
)
from api.grants.report_outputs import GrantsReportType
from api.shared import photos
from api.shared.pagination import Connection, PageRequest
from api.shared.payloads import answer

# Grants answers its own rules' failures (RuleBroken) and conflicts as userErrors too.
_respond = partial(answer, expected=EXPECTED)


async def _round(
    info: Info, service: Callable[..., Awaitable[GrantRound]], *args: Any
) -> GrantRoundPayload:
    language = info.context.language
    return await _respond(
        info, GrantRoundPayload, service, *args, round=lambda r: GrantRoundType.of(r, language)
    )


async def _application(
    info: Info, service: Callable[..., Awaitable[applications.ApplicationView]], *args: Any
) -> GrantApplicationPayload:
    language = info.context.language
    return await _respond(
        info,
        GrantApplicationPayload,
        service,
        *args,
        application=lambda view: GrantApplicationType.of(view, language),
    )


async def _report(
    info: Info, service: Callable[..., Awaitable[Any]], *args: Any
) -> GrantReportPayload:
    return await _respond(info, GrantReportPayload, service, *args, report=GrantReportType.of)


def _application_cursor(view: applications.ApplicationView) -> tuple[uuid.UUID]:
    return (view.application.id,)


@strawberry.type
class Query:
    @strawberry.field(description="A grant round (anyone signed in).")
    async def grant_round(self, info: Info, id: uuid.UUID) -> GrantRoundType:
        found = await rounds.get_round(info.context.session, await info.context.principal(), id)
        return GrantRoundType.of(found, info.context.language)

    @strawberry.field(
        description="Grant rounds (optionally those covering a county), closing soonest first."
    )
    async def grant_rounds(
        self,
        info: Info,
        county_code: str | None = None,
        first: int | None = None,
        after: str | None = None,
    ) -> Connection[GrantRoundType]:
        page = await rounds.list_rounds(
            info.context.session,
            await info.context.principal(),
            PageRequest.parse(
                first, after, info.context.settings.page_size_max, rounds.ROUND_CURSOR_TYPES
            ),
            county_code,
        )
        language = info.context.language
        return Connection.of(
            page, key=rounds.round_cursor_key, node=lambda r: GrantRoundType.of(r, language)
        )

    @strawberry.field(description="An application, as far as you may see it.")
    async def grant_application(self, info: Info, id: uuid.UUID) -> GrantApplicationType:
        view = await applications.get_application(
            info.context.session, await info.context.principal(), id
        )
        return GrantApplicationType.of(view, info.context.language)

    @strawberry.field(
        description="A round's applications: all for its coordinators, the submitted ones for "
        "its panel, your own for an applicant. In id order."
    )
    async def grant_applications(
        self, info: Info, round_id: uuid.UUID, first: int | None = None, after: str | None = None
    ) -> Connection[GrantApplicationType]:
        page = await applications.list_applications(
            info.context.session,
            await info.context.principal(),
            round_id,
            PageRequest.parse(first, after, info.context.settings.page_size_max, (uuid.UUID,)),
        )
        language = info.context.language
        return Connection.of(
            page, key=_application_cursor, node=lambda v: GrantApplicationType.of(v, language)
        )

    @strawberry.field(
        description="Reviews of an application you may see: never for applicants; for a panel "
        "member, only their own until they have submitted it."
    )
    async def application_reviews(self, info: Info, application_id: uuid.UUID) -> list[ReviewType]:
        found = await panel.visible_reviews(
            info.context.session, await info.context.principal(), application_id
        )
        return [ReviewType.of(r) for r in found]

    @strawberry.field(description="How the panel scored a round, ranked against the budget.")
    async def panel_summary(self, info: Info, round_id: uuid.UUID) -> PanelSummaryType:
        found = await summary.panel_summary(
            info.context.session, await info.context.principal(), round_id
        )
        return PanelSummaryType.of(found, info.context.language)

    @strawberry.field(
        description="Awards, money and reach of one round (its coordinators) or of a county "
        "(the county's coordinators): give roundId or countyCode."
    )
    async def grants_report(
        self, info: Info, round_id: uuid.UUID | None = None, county_code: str | None = None
    ) -> GrantsReportType:
        found = await outcomes.grants_report(
            info.context.session,
            await info.context.principal(),
            round_id=round_id,
            county_code=county_code,
        )
        return GrantsReportType.of(found)


async def _upload(
    info: Info,
    store: Callable[..., Awaitable[Any]],
    target_id: uuid.UUID,
    file: Upload,
    caption: str | None,
) -> AttachmentPayload:
    """Read an uploaded file (one byte past the limit is enough to know it is too big) and
    store it against an application or a report."""
    data = await file.read(photos.MAX_BYTES + 1)  # type: ignore[attr-defined]
    storage = photos.storage_for(info.context.settings)
    return await _respond(
        info,
        AttachmentPayload,
        store,
        storage,
        target_id,
        data,
        caption,
        attachment=ApplicationAttachment.of,
    )


@strawberry.type
class Mutation:
    @strawberry.mutation(description="Set up a grant round (COORDINATOR of its counties).")
    async def create_grant_round(self, info: Info, input: GrantRoundInput) -> GrantRoundPayload:
        return await _round(info, rounds.create_round, input.plain())

    @strawberry.mutation(description="Put a PANEL member on a round's panel.")
    async def assign_panel_member(
        self, info: Info, round_id: uuid.UUID, user_id: uuid.UUID
    ) -> GrantRoundPayload:
        return await _round(info, rounds.assign_panel_member, round_id, user_id)

    @strawberry.mutation(
        description="Start an application (a draft). A phone writing offline gives its own "
        "`id`: sending it again with the same content returns the stored draft."
    )
    async def create_grant_application(
        self,
        info: Info,
        round_id: uuid.UUID,
        input: GrantApplicationInput,
        id: uuid.UUID | None = None,
    ) -> GrantApplicationPayload:
        return await _application(
            info, applications.create_application, round_id, input.plain(), id
        )

    @strawberry.mutation(
        description="Replace a draft application. Give `version` to refuse "
        "the change if it changed since you read it."
    )
    async def update_grant_application(
        self,
        info: Info,
        id: uuid.UUID,
        input: GrantApplicationInput,
        version: int | None = None,
    ) -> GrantApplicationPayload:
        return await _application(info, applications.update_application, id, input.plain(), version)

    @strawberry.mutation(
        description="Attach a photo or scan to a draft (multipart upload): JPEG, PNG or WebP "
        "up to 10 MB; location and other metadata are removed before it is stored."
    )
    async def add_application_attachment(
        self, info: Info, application_id: uuid.UUID, file: Upload, caption: str | None = None
    ) -> AttachmentPayload:
        return await _upload(info, attachments.add_attachment, application_id, file, caption)

    @strawberry.mutation(
        description="Add a photo to a progress or final report until it is approved "
        "(multipart upload; same rules as attachments)."
    )
    async def add_grant_report_photo(
        self, info: Info, report_id: uuid.UUID, file: Upload, caption: str | None = None
    ) -> AttachmentPayload:
        return await _upload(info, attachments.add_report_photo, report_id, file, caption)

    @strawberry.mutation(description="Submit a complete draft while the round is open.")
    async def submit_grant_application(self, info: Info, id: uuid.UUID) -> GrantApplicationPayload:
        return await _application(info, applications.submit_application, id)

    @strawberry.mutation(
        description="Move an application: ELIGIBILITY_CHECKED, INELIGIBLE (with reason), "
        "IN_REVIEW, ACTIVE, COMPLETED, or WITHDRAWN (with reason, before a decision)."
    )
    async def move_grant_application(
        self, info: Info, id: uuid.UUID, status: Status, reason: str | None = None
    ) -> GrantApplicationPayload:
        return await _application(info, transitions.move_application, id, status, reason)

    @strawberry.mutation(description="Declare a conflict of interest (or none) on an application.")
    async def declare_conflict(
        self, info: Info, application_id: uuid.UUID, conflict: bool, note: str | None = None
    ) -> ConflictDeclarationPayload:
        return await _respond(
            info,
            ConflictDeclarationPayload,
            panel.declare_conflict,
            application_id,
            conflict,
            note,
            declaration=ConflictDeclarationType.of,
        )

    @strawberry.mutation(description="Save (or submit) your review of an application.")
    async def save_review(
        self, info: Info, application_id: uuid.UUID, input: ReviewInputType
    ) -> ReviewPayload:
        return await _respond(
            info,
            ReviewPayload,
            panel.save_review,
            application_id,
            input.plain(),
            review=ReviewType.of,
        )

    @strawberry.mutation(description="Award or decline (COORDINATOR/ADMIN, with a panel quorum).")
    async def decide_application(
        self, info: Info, application_id: uuid.UUID, input: DecisionInput
    ) -> GrantApplicationPayload:
        return await _application(info, decisions.decide_application, application_id, input.plain())

    @strawberry.mutation(description="Accept an award's terms; its payment tranches are made.")
    async def accept_award(self, info: Info, application_id: uuid.UUID) -> GrantApplicationPayload:
        return await _application(info, payments.accept_award, application_id)

    @strawberry.mutation(description="Record the payment of a DUE tranche.")
    async def record_payment(
        self, info: Info, application_id: uuid.UUID, input: PaymentInput
    ) -> TranchePayload:
        return await _respond(
            info,
            TranchePayload,
            payments.record_payment,
            application_id,
            input.plain(),
            tranche=TrancheType.of,
        )

    @strawberry.mutation(description="Report on an ACTIVE project.")
    async def submit_grant_report(
        self, info: Info, application_id: uuid.UUID, input: GrantReportInput
    ) -> GrantReportPayload:
        return await _report(info, reports.submit_report, application_id, input.plain())

    @strawberry.mutation(description="Approve a report (its tranches fall due) or send it back.")
    async def review_grant_report(
        self, info: Info, report_id: uuid.UUID, approve: bool, note: str | None = None
    ) -> GrantReportPayload:
        return await _report(info, reports.review_report, report_id, approve, note)
