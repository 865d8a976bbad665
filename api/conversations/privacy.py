"""Personal data in conversations: who reads them and their contact details, withdrawal
by reference code (no account), erasure by staff, and redacting an answer."""

from __future__ import annotations

import uuid
from collections.abc import Sequence

from sqlalchemy.ext.asyncio import AsyncSession

from api.audit import service as audit
from api.auth.principal import Principal
from api.conversations import personal_data, reference, repository
from api.conversations.access import CAPTURE, MANAGERS, not_visible
from api.conversations.models import Conversation, ConversationContact
from api.errors import BadInput, InvalidInput, NotFound

REDACTED = "[redacted]"

WITHDRAWN_MESSAGE = (
    "If this reference code belonged to a conversation, it has now been erased with everything "
    "linked to it. / Os oedd y cod cyfeirnod hwn yn perthyn i sgwrs, mae wedi'i dileu erbyn hyn "
    "gyda phopeth sy'n gysylltiedig â hi."
)


async def withdraw(session: AsyncSession, reference_code: str) -> str:
    """Anyone holding a reference code may withdraw. Known and unknown codes get the same
    answer after the same statements, so codes cannot be probed."""
    await repository.erase(session, reference_code=reference.normalise(reference_code)[:16])
    # The audit entry says a withdrawal was asked for, not which one: nothing links back.
    audit.record(
        session,
        actor_id=None,
        action="conversation.withdraw",
        entity_type="conversation",
        entity_id=None,
    )
    await session.commit()
    return WITHDRAWN_MESSAGE


async def readable(
    session: AsyncSession, principal: Principal, conversation_id: uuid.UUID
) -> Conversation:
    """One conversation, for staff of its county (a coder or manager there)."""
    principal.require(CAPTURE)
    found = await repository.conversation(session, conversation_id)
    if found is None or not principal.has_any(CAPTURE, found.county_code):
        # The same answer for "missing" and "elsewhere": a county's conversations stay private.
        raise not_visible("id")
    return found


async def contacts(
    session: AsyncSession, principal: Principal, ids: Sequence[uuid.UUID]
) -> dict[uuid.UUID, ConversationContact]:
    """Contact details, only of conversations in counties where the caller is COORDINATOR or
    ADMIN; the rest are left out."""
    return {
        contact.conversation_id: contact
        for county, contact in await repository.contacts(session, ids)
        if principal.has_any(MANAGERS, county)
    }


async def erase(session: AsyncSession, principal: Principal, conversation_id: uuid.UUID) -> None:
    user_id = principal.require(MANAGERS)
    found = await repository.conversation(session, conversation_id)
    if found is None or not principal.has_any(MANAGERS, found.county_code):
        raise NotFound(
            "There is no conversation with this id that you can erase.",
            field="id",
            cy="Nid oes sgwrs â'r id hwn y gallwch ei dileu.",
        )
    await repository.erase(session, conversation_id=conversation_id)
    audit.record(
        session,
        actor_id=user_id,
        action="conversation.erase",
        entity_type="conversation",
        entity_id=conversation_id,
    )
    await session.commit()


async def redact_answer(
    session: AsyncSession,
    principal: Principal,
    conversation_id: uuid.UUID,
    question_key: str,
    start: int,
    end: int,
) -> Conversation:
    """Replace answer[start:end] with a marker (and in coders' excerpts too). The audit
    entry says where and how much, never what was removed."""
    user_id = principal.require(CAPTURE)
    found = await repository.conversation_for_update(session, conversation_id)
    if found is None or not principal.has_any(CAPTURE, found.county_code):
        raise not_visible("conversationId")
    text = found.answers.get(question_key)
    if not isinstance(text, str):
        raise InvalidInput(
            [
                BadInput(
                    "This conversation has no free-text answer to this question.",
                    field="questionKey",
                    cy="Nid oes gan y sgwrs hon ateb testun rhydd i'r cwestiwn hwn.",
                )
            ]
        )
    if not 0 <= start < end <= len(text):
        raise InvalidInput(
            [
                BadInput(
                    f"Give a span inside the answer (0 to {len(text)}).",
                    field="start",
                    cy=f"Rhowch ddarn o fewn yr ateb (0 i {len(text)}).",
                )
            ]
        )
    removed = text[start:end]
    redacted = text[:start] + REDACTED + text[end:]
    new_flags = [f.plain() for f in personal_data.flags(redacted)]
    await repository.set_answer(session, conversation_id, question_key, redacted, new_flags)
    await repository.redact_excerpts(session, conversation_id, question_key, removed, REDACTED)
    audit.record(
        session,
        actor_id=user_id,
        action="conversation.redact_answer",
        entity_type="conversation",
        entity_id=conversation_id,
        after={"question_key": question_key, "start": start, "characters_removed": end - start},
    )
    await session.commit()
    await session.refresh(found)
    return found
