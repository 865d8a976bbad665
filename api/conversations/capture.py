"""Recording conversations from phones (batches, replay-safe), withdrawing and erasing
them, and redacting personal data a coder finds in an answer."""

from __future__ import annotations

import dataclasses
import hashlib
import math
import re
import secrets
import uuid
from collections.abc import Sequence
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from api.audit import service as audit
from api.auth.principal import Principal
from api.conversations import personal_data, reference, repository
from api.conversations.access import CAPTURE, MANAGERS
from api.conversations.grid import grid_ref
from api.conversations.inputs import AnswerIn, ConversationIn, QuestionType
from api.conversations.models import Campaign, Conversation, ConversationContact, Question
from api.conversations.repository import PlaceRow, QuestionSetRow
from api.errors import BadInput, Conflict, DomainError, Forbidden, InvalidInput, NotFound
from api.settings import Settings
from api.shared.batch import ItemOutcome, check_batch_size, fingerprint
from api.shared.user_errors import BatchStatus

OUTWARD_CODE = re.compile(r"^[A-Z]{1,2}\d[A-Z\d]?$")
# A phone's clock may run a little fast; a conversation further in the future is a mistake.
CLOCK_SKEW = timedelta(hours=1)
REDACTED = "[redacted]"
# A code collision (or a concurrent replay) is retried this many times before giving up.
INSERT_ATTEMPTS = 3
_random = secrets.SystemRandom()


def id_digest(conversation_id: uuid.UUID) -> str:
    """What a withdrawal keeps of a conversation's id (the SQL in repository.erase agrees)."""
    return hashlib.sha256(str(conversation_id).encode()).hexdigest()


# --- checking one item ---------------------------------------------------------------------


def _answer_value(
    question: Question, answer: AnswerIn, max_chars: int, field: str
) -> tuple[Any, list[DomainError]]:
    kind = QuestionType(question.type)
    given = {
        name
        for name, value in (
            ("text", answer.text),
            ("choices", answer.choices),
            ("scale", answer.scale),
        )
        if value is not None
    }
    wanted = {
        QuestionType.FREE_TEXT: "text",
        QuestionType.SINGLE_CHOICE: "choices",
        QuestionType.MULTIPLE_CHOICE: "choices",
        QuestionType.SCALE_1_5: "scale",
    }[kind]
    if given != {wanted}:
        return None, [
            BadInput(
                f"This question ({kind.value}) takes an answer in `{wanted}` only.", field=field
            )
        ]
    if kind is QuestionType.FREE_TEXT:
        text = (answer.text or "").strip()
        if len(text) > max_chars:
            return None, [
                BadInput(
                    f"Answers are at most {max_chars} characters (this one has {len(text)}).",
                    field=field,
                )
            ]
        return text or None, []
    if kind is QuestionType.SCALE_1_5:
        if not 1 <= (answer.scale or 0) <= 5:
            return None, [BadInput("A scale answer is a whole number from 1 to 5.", field=field)]
        return answer.scale, []
    picked = list(answer.choices or ())
    keys = {c["key"] for c in question.choices}
    if kind is QuestionType.SINGLE_CHOICE and len(picked) != 1:
        return None, [BadInput("Pick exactly one choice.", field=field)]
    if len(set(picked)) != len(picked) or not set(picked) <= keys:
        return None, [
            BadInput(f"Pick from the question's choices: {', '.join(sorted(keys))}.", field=field)
        ]
    return picked or None, []


def _answers(
    item: ConversationIn, question_set: QuestionSetRow, max_chars: int
) -> tuple[dict[str, Any], list[DomainError]]:
    questions = {q.key: q for q in question_set.questions}
    values: dict[str, Any] = {}
    errors: list[DomainError] = []
    for answer in item.answers:
        field = f"answers.{answer.question_key}"
        question = questions.get(answer.question_key)
        if question is None:
            errors.append(
                BadInput(
                    f"Version {item.question_set_version} of this campaign has no question "
                    f"{answer.question_key!r}.",
                    field=field,
                )
            )
            continue
        if answer.question_key in values:
            errors.append(BadInput("This question is answered twice.", field=field))
            continue
        value, problems = _answer_value(question, answer, max_chars, field)
        errors += problems
        if value is not None:
            values[answer.question_key] = value
    for question in question_set.questions:
        if (
            question.required
            and question.key not in values
            and not any(e.field == f"answers.{question.key}" for e in errors)
        ):
            errors.append(
                BadInput("This question needs an answer.", field=f"answers.{question.key}")
            )
    return values, errors


def _point_errors(item: ConversationIn) -> list[DomainError]:
    if (item.lat is None) != (item.lon is None):
        return [BadInput("A location needs both lat and lon.", field="location")]
    if item.lat is None or item.lon is None:
        return []
    if not (math.isfinite(item.lat) and -90 <= item.lat <= 90):
        return [
            BadInput("lat must be a latitude between -90 and 90 degrees.", field="location.lat")
        ]
    if not (math.isfinite(item.lon) and -180 <= item.lon <= 180):
        return [
            BadInput("lon must be a longitude between -180 and 180 degrees.", field="location.lon")
        ]
    return []


def _item_errors(
    item: ConversationIn,
    campaign: Campaign | None,
    question_set: QuestionSetRow | None,
    now: datetime,
) -> list[DomainError]:
    """What is wrong with an item before looking at where it happened."""
    if not item.consent.store:
        return [
            BadInput(
                "The respondent did not consent to their answers being stored, so nothing was "
                "stored. / Ni roddodd yr ymatebydd ganiatâd i gadw'r atebion, felly ni "
                "chadwyd dim.",
                field="consent.store",
            )
        ]
    errors: list[DomainError] = []
    if campaign is None:
        errors.append(BadInput("There is no campaign with this id.", field="campaignId"))
    elif question_set is None:
        errors.append(
            BadInput(
                f"This campaign has no question set version {item.question_set_version}.",
                field="questionSetVersion",
            )
        )
    if item.collected_at.tzinfo is None:
        errors.append(
            BadInput("Give collectedAt with its time zone (e.g. Z).", field="collectedAt")
        )
    elif item.collected_at > now + CLOCK_SKEW:
        errors.append(BadInput("collectedAt is in the future.", field="collectedAt"))
    district = item.profile.postcode_district
    if district is not None and not OUTWARD_CODE.match(district.strip().upper()):
        errors.append(
            BadInput(
                "Give only the first part of the postcode (e.g. SA31), never the whole postcode.",
                field="profile.postcodeDistrict",
            )
        )
    contact = item.contact
    if contact is not None and any((contact.name, contact.email, contact.phone)):
        if not item.consent.contact:
            errors.append(
                BadInput(
                    "Contact details need consent to be contacted; without it, leave them out.",
                    field="contact",
                )
            )
        if contact.email and ("@" not in contact.email or len(contact.email) > 320):
            errors.append(BadInput("This is not an email address.", field="contact.email"))
        if contact.phone and len(contact.phone) > 32:
            errors.append(
                BadInput("A phone number is at most 32 characters.", field="contact.phone")
            )
        if contact.name and len(contact.name) > 200:
            errors.append(BadInput("A name is at most 200 characters.", field="contact.name"))
    return errors + _point_errors(item)


def _place_errors(item: ConversationIn, place: PlaceRow, principal: Principal) -> list[DomainError]:
    if item.community_id is not None and place.community_id is None:
        return [BadInput("There is no community with this id.", field="communityId")]
    if not place.county_known:
        return [BadInput(f"There is no county with code {item.county_code!r}.", field="countyCode")]
    if place.county_code is None:
        if item.lat is not None:
            return [BadInput("This location is outside the region's counties.", field="location")]
        return [
            BadInput(
                "Say where the conversation happened: a location, a community or a county.",
                field="location",
            )
        ]
    if not principal.has_any(CAPTURE, place.county_code):
        return [
            Forbidden(
                f"You cannot record conversations in county {place.county_code}.",
                field="countyCode",
            )
        ]
    return []


def _row(
    item: ConversationIn,
    answers: dict[str, Any],
    place: PlaceRow,
    campaign: Campaign,
    user_id: uuid.UUID,
    content_fingerprint: str,
) -> dict[str, Any]:
    profile = item.profile
    return {
        "id": item.id,
        "campaign_id": item.campaign_id,
        "question_set_version": item.question_set_version,
        "reference_code": reference.new_code(),
        "collected_at": item.collected_at,
        "recorded_by": user_id,
        "channel": item.channel.value,
        "language": item.language,
        "county_code": place.county_code,
        "community_id": place.community_id,
        # Only where no community covers the point; the point itself is never stored.
        "grid_ref": grid_ref(place.e_km, place.n_km) if place.e_km is not None else None,
        "may_contact": item.consent.contact,
        "may_quote": item.consent.quote,
        "age_band": profile.age_band.value if profile.age_band else None,
        "gender": profile.gender.value if profile.gender else None,
        "postcode_district": profile.postcode_district.strip().upper()
        if profile.postcode_district
        else None,
        "welsh_speaker": profile.welsh_speaker,
        "disability": profile.disability,
        "carer": profile.carer,
        "answers": answers,
        "flags": flags_of(answers),
        "fingerprint": content_fingerprint,
        "double_code": _random.random() < campaign.double_coding_share,
    }


def flags_of(answers: dict[str, Any]) -> dict[str, list[dict[str, object]]]:
    found = {
        key: [f.plain() for f in personal_data.flags(value)]
        for key, value in answers.items()
        if isinstance(value, str)
    }
    return {key: spans for key, spans in found.items() if spans}


# --- the batch -----------------------------------------------------------------------------


async def record_conversations(
    session: AsyncSession, settings: Settings, principal: Principal, items: Sequence[ConversationIn]
) -> list[ItemOutcome[str]]:
    """One outcome per item, in input order; `record` is the reference code. A fixed number
    of statements whatever the batch size."""
    check_batch_size(items, settings.conversation_batch_max)
    user_id = principal.require(CAPTURE)
    if not items:
        return []
    now = datetime.now(UTC)
    campaigns = await repository.campaigns_by_id(session, {i.campaign_id for i in items})
    question_sets = await repository.question_sets(
        session, list(campaigns), [(i.campaign_id, i.question_set_version) for i in items]
    )
    prechecked = [
        _item_errors(
            item,
            campaigns.get(item.campaign_id),
            question_sets.get((item.campaign_id, item.question_set_version)),
            now,
        )
        for item in items
    ]
    places = await repository.places(
        session,
        [
            (item.lat, item.lon, item.community_id, item.county_code)
            if not errors
            else (None, None, None, None)
            for item, errors in zip(items, prechecked, strict=True)
        ],
    )
    stored, withdrawn = await repository.stored_identities(
        session, [i.id for i in items], [id_digest(i.id) for i in items]
    )

    outcomes: list[ItemOutcome[str]] = []
    rows: dict[uuid.UUID, dict[str, Any]] = {}
    contacts: dict[uuid.UUID, dict[str, Any]] = {}
    for item, errors, place in zip(items, prechecked, places, strict=True):
        # orjson writes the dataclass as it is: no deep copy through asdict.
        content = fingerprint({"conversation": item})
        earlier = stored.get(item.id) or (
            repository.StoredIdentity(rows[item.id]["fingerprint"], rows[item.id]["reference_code"])
            if item.id in rows
            else None
        )
        if earlier is not None:
            outcomes.append(_replayed(item.id, earlier, content))
            continue
        if id_digest(item.id) in withdrawn:
            outcomes.append(
                ItemOutcome.rejected(
                    item.id,
                    [
                        BadInput(
                            "The respondent withdrew this conversation; it cannot be sent again.",
                            field="id",
                        )
                    ],
                )
            )
            continue
        if not errors:
            errors = _place_errors(item, place, principal)
        answers: dict[str, Any] = {}
        if not errors:
            question_set = question_sets[(item.campaign_id, item.question_set_version)]
            answers, errors = _answers(item, question_set, settings.conversation_text_max_chars)
        if errors:
            outcomes.append(ItemOutcome.rejected(item.id, errors))
            continue
        rows[item.id] = _row(item, answers, place, campaigns[item.campaign_id], user_id, content)
        if (
            item.contact is not None
            and item.consent.contact
            and any(dataclasses.astuple(item.contact))
        ):
            contacts[item.id] = {"conversation_id": item.id, **dataclasses.asdict(item.contact)}
        outcomes.append(ItemOutcome(status=BatchStatus.CREATED, id=item.id))

    outcomes = await _insert(session, rows, outcomes)
    created = [o.id for o in outcomes if o.status is BatchStatus.CREATED]
    await repository.insert_contacts(session, [contacts[i] for i in created if i in contacts])
    for conversation_id in created:
        row = rows[conversation_id]
        audit.record(
            session,
            actor_id=user_id,
            action="conversation.record",
            entity_type="conversation",
            entity_id=conversation_id,
            after={"campaign_id": row["campaign_id"], "county_code": row["county_code"]},
        )
    await session.commit()
    return outcomes


def _replayed(
    conversation_id: uuid.UUID, earlier: repository.StoredIdentity, content: str
) -> ItemOutcome[str]:
    if earlier.fingerprint == content:
        return ItemOutcome(
            status=BatchStatus.UNCHANGED, id=conversation_id, record=earlier.reference_code
        )
    return ItemOutcome(
        status=BatchStatus.CONFLICT,
        id=conversation_id,
        errors=[
            Conflict(
                "A different conversation was already recorded with this id; recorded "
                "conversations are not changed by sending them again.",
                field="id",
            )
        ],
    )


async def _insert(
    session: AsyncSession, rows: dict[uuid.UUID, dict[str, Any]], outcomes: list[ItemOutcome[str]]
) -> list[ItemOutcome[str]]:
    """Insert every new row in one statement. A row skipped because its id appeared
    meanwhile (a concurrent replay) is answered as a replay; one skipped because its
    reference code was taken gets a fresh code and another try."""
    pending = dict(rows)
    for _ in range(INSERT_ATTEMPTS):
        inserted = await repository.insert_conversations(session, list(pending.values()))
        for conversation_id in inserted:
            pending.pop(conversation_id)
        if not pending:
            break
        stored, _ = await repository.stored_identities(session, list(pending), [])
        for conversation_id, earlier in stored.items():
            replay = _replayed(
                conversation_id, earlier, pending.pop(conversation_id)["fingerprint"]
            )
            outcomes = [
                replay if o.id == conversation_id and o.status is BatchStatus.CREATED else o
                for o in outcomes
            ]
        for row in pending.values():
            row["reference_code"] = reference.new_code()
    if pending:
        raise Conflict("Could not store the batch; send it again.", field="input")
    by_id = {o.id: o for o in outcomes if o.status is BatchStatus.CREATED}
    for conversation_id, outcome in by_id.items():
        outcome.record = rows[conversation_id]["reference_code"]
    return outcomes


# --- withdrawing, erasing, redacting -------------------------------------------------------

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
        raise NotFound("There is no conversation with this id that you can see.", field="id")
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
        raise NotFound("There is no conversation with this id that you can erase.", field="id")
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
        raise NotFound(
            "There is no conversation with this id that you can see.", field="conversationId"
        )
    text = found.answers.get(question_key)
    if not isinstance(text, str):
        raise InvalidInput(
            [
                BadInput(
                    "This conversation has no free-text answer to this question.",
                    field="questionKey",
                )
            ]
        )
    if not 0 <= start < end <= len(text):
        raise InvalidInput(
            [BadInput(f"Give a span inside the answer (0 to {len(text)}).", field="start")]
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
