"""Second coders of double-coded conversations. When such a conversation is first coded, a
second coder is drawn at random from everyone who may code in its county, never its first
coder. A COORDINATOR of the county can reassign it, and sees the second codings nobody can
do: those no second coder could be found for, and those whose coder may no longer code there.
When a second coder loses a role or a county or their account, the people domain calls
`hand_on` (registered with it below), which gives their unfinished second codings to others.
"""

from __future__ import annotations

import secrets
import uuid
from collections.abc import Collection

from sqlalchemy.ext.asyncio import AsyncSession

from api.audit import service as audit
from api.auth.principal import ALL_COUNTIES, Principal, Role, Scope, in_scope
from api.conversations import campaigns, repository
from api.conversations.access import CAPTURE, CODERS, not_visible
from api.conversations.models import Conversation
from api.errors import BadInput, Conflict, InvalidInput
from api.people import service as people
from api.shared.pagination import PageRequest

_random = secrets.SystemRandom()


def _able(
    holders: dict[uuid.UUID, Scope], county_code: str, excluding: Collection[uuid.UUID]
) -> list[uuid.UUID]:
    """Of the coders `holders_of` found, those who may code in the county, but not those
    excluded; in a fixed order."""
    return sorted(
        user_id
        for user_id, scope in holders.items()
        if in_scope(scope, county_code) and user_id not in excluding
    )


def _pick(found: list[uuid.UUID]) -> uuid.UUID | None:
    return _random.choice(found) if found else None


async def candidates(
    session: AsyncSession, county_code: str, excluding: Collection[uuid.UUID]
) -> list[uuid.UUID]:
    """Everyone who may code in the county, but not those excluded; in a fixed order."""
    holders = await people.holders_of(session, CODERS, frozenset({county_code}))
    return _able(holders, county_code, excluding)


async def draw(
    session: AsyncSession, county_code: str, excluding: Collection[uuid.UUID]
) -> uuid.UUID | None:
    """A second coder drawn at random from the candidates; None when there are none."""
    return _pick(await candidates(session, county_code, excluding))


def _assigned(conversation: Conversation, coder_id: uuid.UUID | None) -> audit.Change:
    """Give the second coding to `coder_id` (None: nobody, for a coordinator to give); the
    audit entry of the change."""
    before, conversation.second_coder_id = conversation.second_coder_id, coder_id
    return audit.Change(
        "conversation.second_coder_assigned",
        conversation.id,
        before={"secondCoderId": str(before) if before else None},
        after={"secondCoderId": str(coder_id) if coder_id else None},
    )


@people.on_access_lost
async def hand_on(session: AsyncSession, user_id: uuid.UUID, actor_id: uuid.UUID) -> None:
    """Give each unfinished second coding of someone who may no longer code in its county
    to another coder of that county, drawn at random (never its first coder); where there
    is nobody, to nobody, so that it waits for a coordinator (`waiting`, UNASSIGNED); an
    audit entry for each. One statement when they had none, a few however many they had."""
    given = await repository.second_codings_given_to(session, user_id)
    if not given:
        return
    holders = await people.holders_of(session, CODERS, frozenset(c.county_code for c in given))
    changes = [
        _assigned(c, _pick(_able(holders, c.county_code, {c.first_coder_id})))
        for c in given
        if user_id not in _able(holders, c.county_code, ())
    ]
    await audit.record_changes(
        session, actor_id=actor_id, entity_type="conversation", changes=changes
    )


def _reassignable(conversation: Conversation) -> None:
    if not conversation.double_code:
        en, cy = (
            "It was not chosen for a second coding.",
            "Ni chafodd ei dewis ar gyfer ail godio.",
        )
    elif conversation.first_coded_at is None:
        en, cy = (
            "Its first coding is not done yet; a second coder is drawn when it is.",
            "Nid yw'r codio cyntaf wedi'i wneud eto; dewisir ail godiwr pan fydd.",
        )
    elif conversation.second_coded_at is not None:
        en, cy = "Its second coding is already done.", "Mae'r ail godio eisoes wedi'i wneud."
    else:
        return
    raise InvalidInput([Conflict(en, field="conversationId", cy=cy)])


def _no_such_coder(en: str, cy: str) -> InvalidInput:
    return InvalidInput([BadInput(en, field="coderId", cy=cy)])


async def reassign(
    session: AsyncSession,
    principal: Principal,
    conversation_id: uuid.UUID,
    coder_id: uuid.UUID | None,
) -> Conversation:
    """Give a conversation's second coding to `coder_id`, or (None) to someone drawn at
    random other than its first and current second coder."""
    actor_id = principal.require([Role.COORDINATOR])
    conversation = await repository.conversation_for_update(session, conversation_id)
    if conversation is None or not principal.has_any(CAPTURE, conversation.county_code):
        raise not_visible("conversationId")
    county = conversation.county_code
    principal.require([Role.COORDINATOR], county)
    _reassignable(conversation)
    first = conversation.first_coder_id
    if coder_id is None:
        coder_id = await draw(session, county, {first, conversation.second_coder_id})
        if coder_id is None:
            raise _no_such_coder(
                "Nobody else may code in this county.",
                "Nid oes neb arall yn cael codio yn y sir hon.",
            )
    elif coder_id == first:
        raise _no_such_coder(
            "The second coder is never the first coder.",
            "Nid yw'r ail godiwr byth yr un â'r codiwr cyntaf.",
        )
    elif coder_id not in await candidates(session, county, {first}):
        raise _no_such_coder(
            f"This person may not code conversations in {county}.",
            f"Nid yw'r person hwn yn cael codio sgyrsiau yn {county}.",
        )
    await audit.record_changes(
        session,
        actor_id=actor_id,
        entity_type="conversation",
        changes=[_assigned(conversation, coder_id)],
    )
    await session.commit()
    return conversation


async def waiting(
    session: AsyncSession, principal: Principal, campaign_id: uuid.UUID, page: PageRequest
) -> list[tuple[str, Conversation]]:
    """Second codings nobody can do, in the caller's COORDINATOR counties, longest waiting
    first: (reason, conversation), the reason UNASSIGNED or CODER_CANNOT_CODE."""
    principal.require([Role.COORDINATOR])
    await campaigns.campaign(session, principal, campaign_id)
    counties = principal.counties([Role.COORDINATOR])
    holders = await people.holders_of(session, CODERS, counties)
    able = [
        (user_id, county)
        for user_id, scope in holders.items()
        for county in ([None] if scope is ALL_COUNTIES else sorted(scope))
    ]
    return await repository.second_codings_waiting(session, campaign_id, counties, able, page.limit)
