"""The panel: conflict declarations, reviews, who may see which review, and quorum."""

from __future__ import annotations

import uuid
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from enum import Enum

from sqlalchemy.ext.asyncio import AsyncSession

from api.audit import service as audit
from api.auth.principal import Principal
from api.errors import Forbidden
from api.grants import access, repository
from api.grants.errors import DECLARE_FIRST, NotAllowedHere, RuleBroken
from api.grants.lifecycle import Status
from api.grants.models import ConflictDeclaration, GrantApplication, GrantRound, Review
from api.shared import clock
from api.shared.limits import check_caps


class Recommendation(Enum):
    FUND = "FUND"
    FUND_WITH_CONDITIONS = "FUND_WITH_CONDITIONS"
    DO_NOT_FUND = "DO_NOT_FUND"


@dataclass(frozen=True)
class ReviewInput:
    scores: Sequence[tuple[str, int]]  # (criterion key, score), one per criterion
    recommendation: Recommendation
    comment: str | None
    submit: bool


def conflicted_ids(declarations: Sequence[ConflictDeclaration]) -> set[uuid.UUID]:
    return {d.user_id for d in declarations if d.conflict}


def counted_reviews(
    reviews: Sequence[Review], members: set[uuid.UUID], conflicted: set[uuid.UUID]
) -> list[Review]:
    """Reviews that count towards quorum: submitted, by assigned members without a conflict."""
    return [
        r
        for r in reviews
        if r.submitted_at is not None
        and r.reviewer_id in members
        and r.reviewer_id not in conflicted
    ]


async def quorum_of(
    session: AsyncSession, application: GrantApplication
) -> tuple[int, set[uuid.UUID]]:
    """(reviews counting towards quorum, the members recused by a conflict)."""
    conflicted = conflicted_ids(await repository.declarations_of(session, application.id))
    members = await repository.panel_member_ids(session, application.round_id)
    reviews = await repository.reviews_of(session, application.id)
    return len(counted_reviews(reviews, members, conflicted)), conflicted


async def _require_member(
    session: AsyncSession, principal: Principal, application: GrantApplication
) -> uuid.UUID:
    user_id = principal.require_user()
    if not await repository.is_panel_member(session, application.round_id, user_id):
        raise RuleBroken(
            "REVIEWER_NOT_ASSIGNED",
            "You are not on the panel of this round.",
            "Nid ydych ar banel y cylch hwn.",
            field="applicationId",
        )
    return user_id


async def declare_conflict(
    session: AsyncSession,
    principal: Principal,
    application_id: uuid.UUID,
    conflict: bool,
    note: str | None,
) -> ConflictDeclaration:
    application, _ = await access.load_application(session, application_id)
    user_id = await _require_member(session, principal, application)
    if application.status == Status.DRAFT.value:
        raise Forbidden(
            "This application has not been submitted.",
            cy="Nid yw'r cais hwn wedi'i gyflwyno.",
        )
    if await repository.declaration(session, application_id, user_id) is not None:
        raise RuleBroken(
            "ALREADY_DECLARED",
            "You have already declared on this application.",
            "Rydych eisoes wedi datgan ar y cais hwn.",
            field="applicationId",
        )
    if access.is_owner(principal, application) and not conflict:
        raise RuleBroken(
            "OWN_APPLICATION",
            "This is your own application: declare a conflict.",
            "Eich cais chi yw hwn: datganwch wrthdaro.",
            field="conflict",
        )
    note = (note or "").strip() or None
    if conflict and note is None:
        raise RuleBroken(
            "NOTE_REQUIRED",
            "Say what the conflict is.",
            "Dywedwch beth yw'r gwrthdaro.",
            field="note",
        )
    declaration = ConflictDeclaration(
        application_id=application_id,
        user_id=user_id,
        conflict=conflict,
        note=note,
        declared_at=clock.now(),
    )
    repository.add(session, declaration)
    audit.record(
        session,
        actor_id=user_id,
        action="grants.conflict.declare",
        entity_type="grant_application",
        entity_id=application_id,
        after={"conflict": conflict, "note": note},
    )
    await session.commit()
    return declaration


def _check_scores(round_: GrantRound, scores: Mapping[str, int]) -> None:
    keys = {c["key"] for c in round_.criteria}
    if set(scores) != keys:
        raise RuleBroken(
            "SCORES_INCOMPLETE",
            f"Score exactly these criteria: {', '.join(sorted(keys))}.",
            f"Sgoriwch y meini prawf hyn yn union: {', '.join(sorted(keys))}.",
            field="scores",
        )
    for criterion in round_.criteria:
        if not 1 <= scores[criterion["key"]] <= criterion["scaleMax"]:
            raise RuleBroken(
                "SCORE_OUT_OF_SCALE",
                f"{criterion['key']} is scored from 1 to {criterion['scaleMax']}.",
                f"Mae {criterion['key']} yn cael ei sgorio o 1 i {criterion['scaleMax']}.",
                field="scores",
            )


async def save_review(
    session: AsyncSession, principal: Principal, application_id: uuid.UUID, given: ReviewInput
) -> Review:
    application, round_ = await access.load_application(session, application_id)
    user_id = await _require_member(session, principal, application)
    declared = await repository.declaration(session, application_id, user_id)
    if declared is None:
        raise RuleBroken("DECLARATION_REQUIRED", *DECLARE_FIRST, field="applicationId")
    if declared.conflict:
        raise RuleBroken(
            "REVIEWER_CONFLICTED",
            "You declared a conflict of interest, so you cannot review this application.",
            "Fe wnaethoch ddatgan gwrthdaro buddiannau, felly ni allwch adolygu'r cais hwn.",
            field="applicationId",
        )
    if application.status != Status.IN_REVIEW.value:
        raise RuleBroken(
            "NOT_IN_REVIEW",
            "This application is not in review.",
            "Nid yw'r cais hwn yn cael ei adolygu.",
            field="applicationId",
        )
    # One score per criterion: a longer list repeats one.
    check_caps((given.scores, len(round_.criteria), "scores"))
    scores = dict(given.scores)
    _check_scores(round_, scores)
    review = await repository.review_of(session, application_id, user_id)
    if review is not None and review.submitted_at is not None:
        raise RuleBroken(
            "REVIEW_ALREADY_SUBMITTED",
            "A submitted review cannot be changed.",
            "Ni ellir newid adolygiad sydd wedi'i gyflwyno.",
            field="applicationId",
        )
    if review is None:
        review = Review(id=uuid.uuid4(), application_id=application_id, reviewer_id=user_id)
        repository.add(session, review)
    review.scores = scores
    review.recommendation = given.recommendation.value
    review.comment = given.comment
    review.submitted_at = clock.now() if given.submit else None
    audit.record(
        session,
        actor_id=user_id,
        action="grants.review.submit" if given.submit else "grants.review.save",
        entity_type="grant_review",
        entity_id=review.id,
        after={"scores": str(review.scores), "recommendation": review.recommendation},
    )
    await session.commit()
    return review


async def visible_reviews(
    session: AsyncSession, principal: Principal, application_id: uuid.UUID
) -> list[Review]:
    """Staff see submitted reviews; a panel member sees their own, and the others' only
    once theirs is submitted; a conflicted member and applicants see none."""
    user_id = principal.require_user()
    application, round_ = await access.load_application(session, application_id)
    reviews = list(await repository.reviews_of(session, application_id))
    if access.is_staff(principal, round_):
        return [r for r in reviews if r.submitted_at is not None]
    if access.is_owner(principal, application) or not await repository.is_panel_member(
        session, application.round_id, user_id
    ):
        raise Forbidden(
            "Reviews are for the panel and the round's coordinators only.",
            cy="Mae adolygiadau ar gyfer y panel a chydlynwyr y cylch yn unig.",
        )
    declared = await repository.declaration(session, application_id, user_id)
    if declared is None:
        raise NotAllowedHere("DECLARATION_REQUIRED", *DECLARE_FIRST)
    if declared.conflict:
        raise NotAllowedHere(
            "CONFLICTED",
            "You cannot see reviews of an application you have a conflict with.",
            "Ni allwch weld adolygiadau o gais y mae gennych wrthdaro buddiannau ag ef.",
        )
    mine = next((r for r in reviews if r.reviewer_id == user_id), None)
    if mine is None or mine.submitted_at is None:
        return [mine] if mine else []
    return [r for r in reviews if r.submitted_at is not None]
