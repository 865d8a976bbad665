"""Recording conversations from phones: batches of up to 500, one outcome per item in
input order, replay-safe, in a fixed number of statements whatever the batch size."""

from __future__ import annotations

import dataclasses
import hashlib
import random
import secrets
import uuid
from collections.abc import Sequence
from typing import Any

from api.audit import service as audit
from api.auth.principal import Principal
from api.conversations import checks, reference, repository
from api.conversations.access import CAPTURE
from api.conversations.grid import grid_ref
from api.conversations.inputs import ConversationIn
from api.conversations.models import Campaign
from api.conversations.personal_data import flags_of
from api.db import RequestSession
from api.errors import BadInput, Conflict
from api.places import service as place_service
from api.places.repository import PlaceQuery, PlaceRow
from api.settings import Settings
from api.shared import clock
from api.shared.batch import ItemOutcome, check_batch_size, fingerprint, write_settled
from api.shared.user_errors import BatchStatus


def id_digest(conversation_id: uuid.UUID) -> str:
    """What a withdrawal keeps of a conversation's id (the SQL in repository.erase agrees)."""
    return hashlib.sha256(str(conversation_id).encode()).hexdigest()


def _row(
    item: ConversationIn,
    answers: dict[str, Any],
    place: PlaceRow,
    campaign: Campaign,
    user_id: uuid.UUID,
    content_fingerprint: str,
    reference_code: str,
    draw: float,
) -> dict[str, Any]:
    profile = item.profile
    return {
        "id": item.id,
        "campaign_id": item.campaign_id,
        "question_set_version": item.question_set_version,
        "reference_code": reference_code,
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
        "double_code": draw < campaign.double_coding_share,
    }


# --- the batch -----------------------------------------------------------------------------


async def record_conversations(
    session: RequestSession,
    settings: Settings,
    principal: Principal,
    items: Sequence[ConversationIn],
) -> list[ItemOutcome[str]]:
    """One outcome per item, in input order; `record` is the reference code. A fixed number
    of statements whatever the batch size."""
    check_batch_size(items, settings.conversation_batch_max)
    user_id = principal.require(CAPTURE)
    if not items:
        return []
    now = clock.now()
    campaigns = await repository.campaigns_by_id(session, {i.campaign_id for i in items})
    question_sets = await repository.question_sets(
        session, list(campaigns), list({(i.campaign_id, i.question_set_version) for i in items})
    )
    digests = [id_digest(i.id) for i in items]
    stored, withdrawn = await repository.stored_identities(session, [i.id for i in items], digests)
    # A replay is answered from what is stored: it needs neither checks nor a place (phones
    # with patchy signal send whole batches again).
    replays = [item.id in stored for item in items]
    rules = {key: checks.question_rules(q) for key, q in question_sets.items()}
    prechecked = [
        []
        if replay
        else checks.item_errors(
            item,
            campaigns.get(item.campaign_id),
            question_sets.get((item.campaign_id, item.question_set_version)),
            now,
        )
        for item, replay in zip(items, replays, strict=True)
    ]
    places = await place_service.places_of(
        session,
        [
            None
            if replay or errors
            else PlaceQuery(item.lat, item.lon, item.community_id, item.county_code)
            for item, replay, errors in zip(items, replays, prechecked, strict=True)
        ],
    )

    capturing = principal.counties(CAPTURE)
    outcomes: list[ItemOutcome[str]] = []
    rows: dict[uuid.UUID, dict[str, Any]] = {}
    contacts: dict[uuid.UUID, dict[str, Any]] = {}
    codes = iter(reference.new_codes(len(items)))
    # Which are double coded: a generator seeded from the system's randomness per batch, so
    # nobody can foresee the draw, at a fraction of the cost of a system call per item.
    draws = random.Random(secrets.randbits(128))
    for item, digest, errors, place in zip(items, digests, prechecked, places, strict=True):
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
        if digest in withdrawn:
            outcomes.append(
                ItemOutcome.rejected(
                    item.id,
                    [
                        BadInput(
                            "The respondent withdrew this conversation; it cannot be sent again.",
                            field="id",
                            cy="Tynnodd yr ymatebydd y sgwrs hon yn ôl; ni ellir ei hanfon eto.",
                        )
                    ],
                )
            )
            continue
        if not errors:
            errors = checks.place_errors(item, place, capturing)
        answers: dict[str, Any] = {}
        if not errors:
            answers, errors = checks.answers_of(
                item,
                rules[(item.campaign_id, item.question_set_version)],
                settings.conversation_text_max_chars,
            )
        if errors:
            outcomes.append(ItemOutcome.rejected(item.id, errors))
            continue
        rows[item.id] = _row(
            item,
            answers,
            place,
            campaigns[item.campaign_id],
            user_id,
            content,
            next(codes),
            draws.random(),
        )
        if (
            item.contact is not None
            and item.consent.contact
            and any(dataclasses.astuple(item.contact))
        ):
            contacts[item.id] = {"conversation_id": item.id, **dataclasses.asdict(item.contact)}
        outcomes.append(ItemOutcome(status=BatchStatus.CREATED, id=item.id))

    # Each stored conversation is audited by the statement that stores it.
    audited = audit.new_records_parameters(
        actor_id=user_id, action="conversation.record", entity_type="conversation"
    )
    outcomes = await _insert(session, rows, outcomes, audited)
    created = [o.id for o in outcomes if o.status is BatchStatus.CREATED]
    await repository.insert_contacts(session, [contacts[i] for i in created if i in contacts])
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
                cy="Cofnodwyd sgwrs wahanol â'r id hwn eisoes; nid yw sgyrsiau a gofnodwyd "
                "yn newid o'u hanfon eto.",
            )
        ],
    )


async def _insert(
    session: RequestSession,
    rows: dict[uuid.UUID, dict[str, Any]],
    outcomes: list[ItemOutcome[str]],
    audited: dict[str, Any],
) -> list[ItemOutcome[str]]:
    """Insert every new row in one statement. A row skipped because its id appeared
    meanwhile (a concurrent replay) is answered as a replay; one skipped because its
    reference code was taken gets a fresh code and another try."""
    position = {o.id: n for n, o in enumerate(outcomes) if o.status is BatchStatus.CREATED}

    async def settle(skipped: dict[uuid.UUID, dict[str, Any]]) -> dict[uuid.UUID, dict[str, Any]]:
        stored, _ = await repository.stored_identities(session, list(skipped), [])
        for conversation_id, earlier in stored.items():
            content = skipped.pop(conversation_id)["fingerprint"]
            outcomes[position.pop(conversation_id)] = _replayed(conversation_id, earlier, content)
        for row, code in zip(skipped.values(), reference.new_codes(len(skipped)), strict=True):
            row["reference_code"] = code
        return skipped

    await write_settled(
        rows, lambda pending: repository.insert_conversations(session, pending, audited), settle
    )
    for conversation_id, n in position.items():
        outcomes[n].record = rows[conversation_id]["reference_code"]
    return outcomes
