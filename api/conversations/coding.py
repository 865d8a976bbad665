"""Coding conversations into themes: first and second coders, each with their own
codings; the queue each coder works from; keyword suggestions that stay suggestions."""

from __future__ import annotations

import re
import uuid
from collections.abc import Sequence
from dataclasses import dataclass

from sqlalchemy.ext.asyncio import AsyncSession

from api.audit import service as audit
from api.auth.principal import Principal
from api.conversations import campaigns, repository, second_coders, theme_tallies
from api.conversations.access import CAPTURE, CODERS, not_visible
from api.conversations.inputs import CodingIn
from api.conversations.models import Coding, Conversation, Theme
from api.errors import BadInput, Conflict, DomainError, Forbidden, InvalidInput
from api.shared import clock
from api.shared.limits import check_caps
from api.shared.pagination import PageRequest

FIRST, SECOND = 1, 2


async def _conversation_to_code(
    session: AsyncSession, principal: Principal, conversation_id: uuid.UUID
) -> Conversation:
    principal.require(CODERS)
    found = await repository.conversation_for_update(session, conversation_id)
    if found is None or not principal.has_any(CAPTURE, found.county_code):
        raise not_visible("id")
    if not principal.has_any(CODERS, found.county_code):
        raise Forbidden(
            f"You do not code conversations in county {found.county_code}.",
            field="id",
            cy=f"Nid ydych yn codio sgyrsiau yn sir {found.county_code}.",
        )
    return found


def _round(conversation: Conversation, coder_id: uuid.UUID) -> int:
    """Which round this coder's codings are: the first coder's own, or the second coding
    of a double-coded conversation by the second coder it was given to."""
    if conversation.first_coder_id in (None, coder_id):
        return FIRST
    if conversation.double_code and conversation.second_coder_id == coder_id:
        return SECOND
    en, cy = (
        (
            "it is not one of the conversations chosen for a second coding",
            "nid yw'n un o'r sgyrsiau a ddewiswyd i'w codio ddwywaith",
        )
        if not conversation.double_code
        else (
            "its second coding is given to another coder",
            "mae ei hail godio wedi'i roi i godiwr arall",
        )
        if conversation.second_coder_id is not None
        else (
            "its second coding waits for a coordinator to give it to someone",
            "mae ei hail godio'n aros i gydlynydd ei roi i rywun",
        )
    )
    raise InvalidInput(
        [
            Conflict(
                f"Someone else coded this conversation and {en}.",
                field="id",
                cy=f"Mae rhywun arall wedi codio'r sgwrs hon, ac {cy}.",
            )
        ]
    )


def _coding_rows(
    conversation: Conversation, codings: Sequence[CodingIn], themes: dict[uuid.UUID, Theme]
) -> list[dict[str, object]]:
    errors: list[DomainError] = []
    rows: dict[tuple[uuid.UUID, str], dict[str, object]] = {}
    for n, c in enumerate(codings):
        where = f"codings[{n}]"
        theme = themes.get(c.theme_id)
        if theme is None or theme.campaign_id != conversation.campaign_id:
            errors.append(
                BadInput(
                    "There is no such theme in this campaign's codebook.",
                    field=f"{where}.themeId",
                    cy="Nid oes thema o'r fath yn llyfr codau'r ymgyrch hon.",
                )
            )
            continue
        if theme.retired_in is not None:
            errors.append(
                BadInput(
                    f"The theme {theme.key!r} is retired.",
                    field=f"{where}.themeId",
                    cy=f"Mae'r thema {theme.key!r} wedi'i hymddeol.",
                )
            )
            continue
        answer = conversation.answers.get(c.question_key)
        if answer is None:
            errors.append(
                BadInput(
                    "This conversation has no answer to that question.",
                    field=f"{where}.questionKey",
                    cy="Nid oes gan y sgwrs hon ateb i'r cwestiwn hwnnw.",
                )
            )
            continue
        excerpt = (c.excerpt or "").strip() or None
        if excerpt is not None and (not isinstance(answer, str) or excerpt not in answer):
            errors.append(
                BadInput(
                    "An excerpt is quoted word for word from the answer.",
                    field=f"{where}.excerpt",
                    cy="Dyfyniad air am air o'r ateb yw detholiad.",
                )
            )
            continue
        rows[(c.theme_id, c.question_key)] = {
            "theme_id": c.theme_id,
            "question_key": c.question_key,
            "excerpt": excerpt,
        }
    if errors:
        raise InvalidInput(errors)
    return list(rows.values())


# Codings of one conversation by one coder: a theme per (theme, question) pair, and a short
# conversation holds a handful of themes per answer.
CODINGS_MAX = 100


async def code_conversation(
    session: AsyncSession,
    principal: Principal,
    conversation_id: uuid.UUID,
    codings: Sequence[CodingIn],
) -> tuple[int, list[dict[str, object]]]:
    """Replace the caller's codings of a conversation; returns the round and the codings."""
    user_id = principal.require(CODERS)
    check_caps((codings, CODINGS_MAX, "codings"))
    conversation = await _conversation_to_code(session, principal, conversation_id)
    round_ = _round(conversation, user_id)
    themes = await repository.themes_by_id(session, {c.theme_id for c in codings})
    rows = _coding_rows(conversation, codings, themes)
    replaced = await repository.replace_codings(session, conversation.id, round_, user_id, rows)
    if round_ == FIRST:  # the second coder's codings only measure agreement
        kept = [(t.id, t.parent_id) for t in (themes[r["theme_id"]] for r in rows)]
        await repository.change_theme_tallies(
            session,
            conversation.id,
            theme_tallies.deltas(conversation.first_coded_at is not None, replaced, kept),
        )
    now = clock.now()
    marks: dict[str, object] = (
        {"first_coder_id": user_id, "first_coded_at": now}
        if round_ == FIRST
        else {"second_coded_at": now}
    )
    drawn = None
    if round_ == FIRST and conversation.double_code and conversation.second_coder_id is None:
        # While nobody can be drawn it stays empty, waiting for a coordinator.
        drawn = await second_coders.draw(session, conversation.county_code, {user_id})
        marks["second_coder_id"] = drawn
    await repository.mark_coded(session, conversation.id, marks)
    audit.record(
        session,
        actor_id=user_id,
        action="conversation.code",
        entity_type="conversation",
        entity_id=conversation.id,
        after={
            "round": round_,
            "themes": sorted({str(r["theme_id"]) for r in rows}),
            "secondCoderDrawn": str(drawn) if drawn else None,
        },
    )
    await session.commit()
    return round_, rows


async def coding_queue(
    session: AsyncSession, principal: Principal, campaign_id: uuid.UUID, page: PageRequest
) -> list[tuple[int, Conversation]]:
    """The caller's next conversations to code, in their counties: the second codings given
    to them first, then conversations nobody has coded."""
    user_id = principal.require(CODERS)
    await campaigns.campaign(session, principal, campaign_id)
    return await repository.coding_queue(
        session, campaign_id, user_id, principal.counties(CODERS), page.limit
    )


async def visible_codings(
    session: AsyncSession, principal: Principal, ids: Sequence[uuid.UUID]
) -> dict[uuid.UUID, list[Coding]]:
    """The codings of these conversations the caller may read: staff of the county read
    them all, except that a second coder sees only their own until their coding is done,
    so the first coder's judgement cannot sway theirs."""
    found: dict[uuid.UUID, list[Coding]] = {}
    for row in await repository.codings_of(session, ids):
        c = row.coding
        if not principal.has_any(CAPTURE, row.county_code):
            continue
        blind = row.second_coder_id == principal.user_id and row.second_coded_at is None
        if blind and c.coder_id != principal.user_id:
            continue
        found.setdefault(c.conversation_id, []).append(c)
    return found


@dataclass(frozen=True)
class Suggestion:
    theme: Theme
    question_key: str
    keyword: str


async def suggestions(
    session: AsyncSession, principal: Principal, conversation_id: uuid.UUID
) -> list[Suggestion]:
    """Themes whose keywords occur in the answers. Only suggestions: nothing is coded
    until a coder sends the theme in codeConversation."""
    principal.require(CODERS)
    conversation = await repository.conversation(session, conversation_id)
    if conversation is None or not principal.has_any(CODERS, conversation.county_code):
        raise not_visible("id")
    found = []
    for theme in await repository.themes_of(session, conversation.campaign_id):
        if theme.retired_in is not None:
            continue
        for key, answer in conversation.answers.items():
            if not isinstance(answer, str):
                continue
            hit = next(
                (
                    k
                    for k in theme.keywords
                    if re.search(rf"\b{re.escape(k)}\b", answer, re.IGNORECASE)
                ),
                None,
            )
            if hit:
                found.append(Suggestion(theme, key, hit))
    return found
