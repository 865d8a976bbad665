"""Campaigns and their question sets: creating a campaign, publishing a new version of its
questions (old versions, and the answers given under them, never change)."""

from __future__ import annotations

import re
import uuid
from collections.abc import Sequence

from sqlalchemy.ext.asyncio import AsyncSession

from api.audit import service as audit
from api.auth.principal import Principal, Role
from api.conversations import repository
from api.conversations.inputs import CampaignIn, QuestionIn, QuestionType
from api.conversations.models import Campaign
from api.conversations.repository import QuestionSetRow
from api.errors import BadInput, DomainError, InvalidInput, NotFound
from api.places import service as places
from api.shared.limits import COUNTY_CODES_MAX, check_caps, over_caps

KEY = re.compile(r"^[a-z][a-z0-9_]{0,63}$")
CHOICE_TYPES = (QuestionType.SINGLE_CHOICE, QuestionType.MULTIPLE_CHOICE)
MANAGERS = (Role.ADMIN, Role.COORDINATOR)
# Anyone working on conversations may read campaigns and their questions.
STAFF = (Role.ADMIN, Role.COORDINATOR, Role.ENGAGEMENT, Role.LEADER)
# A question set is asked in a short conversation on a street or a phone: two core questions
# and a banded profile. These are far past any real set, and bound the answers too.
QUESTIONS_MAX = 50
CHOICES_MAX = 50


def no_such_campaign(field: str = "campaignId", error: type[DomainError] = BadInput) -> DomainError:
    return error(
        "There is no campaign with this id.", field=field, cy="Nid oes ymgyrch â'r id hwn."
    )


def _question_errors(questions: Sequence[QuestionIn]) -> list[DomainError]:
    errors = over_caps((questions, QUESTIONS_MAX, "questions")) or over_caps(
        *((q.choices, CHOICES_MAX, f"questions[{n}].choices") for n, q in enumerate(questions))
    )
    if errors:
        return errors
    if not questions:
        errors.append(
            BadInput(
                "Give at least one question.", field="questions", cy="Rhowch o leiaf un cwestiwn."
            )
        )
    seen: set[str] = set()
    for n, q in enumerate(questions):
        where = f"questions[{n}]"
        if not KEY.match(q.key):
            errors.append(
                BadInput(
                    "A question key is lower-case letters, digits and _, starting with a letter.",
                    field=f"{where}.key",
                    cy="Mae allwedd cwestiwn yn llythrennau bach, digidau a _, "
                    "gan ddechrau â llythyren.",
                )
            )
        if q.key in seen:
            errors.append(
                BadInput(
                    f"The key {q.key!r} is used twice.",
                    field=f"{where}.key",
                    cy=f"Defnyddir yr allwedd {q.key!r} ddwywaith.",
                )
            )
        seen.add(q.key)
        if not q.text_en.strip():
            errors.append(
                BadInput(
                    "Give the question's English wording.",
                    field=f"{where}.textEn",
                    cy="Rhowch eiriad Saesneg y cwestiwn.",
                )
            )
        keys = [c.key for c in q.choices]
        if q.type in CHOICE_TYPES and (len(keys) < 2 or len(set(keys)) != len(keys)):
            errors.append(
                BadInput(
                    "A choice question needs two or more distinct choices.",
                    field=f"{where}.choices",
                    cy="Mae angen dau ddewis gwahanol neu fwy ar gwestiwn dewis.",
                )
            )
        if q.type not in CHOICE_TYPES and keys:
            errors.append(
                BadInput(
                    "Only choice questions have choices.",
                    field=f"{where}.choices",
                    cy="Dim ond cwestiynau dewis sydd â dewisiadau.",
                )
            )
    return errors


def _question_rows(questions: Sequence[QuestionIn]) -> list[dict[str, object]]:
    return [
        {
            "key": q.key,
            "position": n,
            "type": q.type.value,
            "required": q.required,
            "text_en": q.text_en.strip(),
            "text_cy": (q.text_cy or "").strip() or None,
            "choices": [{"key": c.key, "en": c.label_en, "cy": c.label_cy} for c in q.choices],
        }
        for n, q in enumerate(questions)
    ]


async def create_campaign(session: AsyncSession, principal: Principal, new: CampaignIn) -> Campaign:
    user_id = principal.require(MANAGERS)
    check_caps((new.county_targets, COUNTY_CODES_MAX, "countyTargets"))
    errors = _question_errors(new.questions)
    if not new.name_en.strip():
        errors.append(
            BadInput(
                "Give the campaign's English name.",
                field="nameEn",
                cy="Rhowch enw Saesneg yr ymgyrch.",
            )
        )
    if new.target < 1:
        errors.append(
            BadInput(
                "The target must be at least 1.",
                field="target",
                cy="Rhaid i'r targed fod yn 1 o leiaf.",
            )
        )
    if not 0 <= new.double_coding_share <= 1:
        errors.append(
            BadInput(
                "The double-coding share is between 0 and 1.",
                field="doubleCodingShare",
                cy="Mae'r gyfran codio dwbl rhwng 0 ac 1.",
            )
        )
    if new.starts_on and new.ends_on and new.ends_on < new.starts_on:
        errors.append(
            BadInput(
                "The campaign cannot end before it starts.",
                field="endsOn",
                cy="Ni all yr ymgyrch ddod i ben cyn iddi ddechrau.",
            )
        )
    known = await places.county_codes(session)
    for n, t in enumerate(new.county_targets):
        if t.county_code not in known:
            errors.append(places.no_such_county(t.county_code, f"countyTargets[{n}].countyCode"))
        if t.target < 0:
            errors.append(
                BadInput(
                    "A county target cannot be negative.",
                    field=f"countyTargets[{n}].target",
                    cy="Ni all targed sir fod yn negyddol.",
                )
            )
    if sum(t.target for t in new.county_targets) > new.target:
        errors.append(
            BadInput(
                "The county targets add up to more than the target.",
                field="countyTargets",
                cy="Mae targedau'r siroedd yn dod i fwy na'r targed.",
            )
        )
    if errors:
        raise InvalidInput(errors)

    campaign = Campaign(
        id=uuid.uuid4(),
        name_en=new.name_en.strip(),
        name_cy=(new.name_cy or "").strip() or None,
        target=new.target,
        starts_on=new.starts_on,
        ends_on=new.ends_on,
        double_coding_share=new.double_coding_share,
        codebook_version=1,
    )
    repository.add_campaign(session, campaign)
    await session.flush()
    await repository.add_county_targets(
        session,
        [
            {"campaign_id": campaign.id, "county_code": t.county_code, "target": t.target}
            for t in new.county_targets
        ],
    )
    await repository.add_question_set(session, campaign.id, _question_rows(new.questions))
    audit.record(
        session,
        actor_id=user_id,
        action="campaign.create",
        entity_type="campaign",
        entity_id=campaign.id,
        after={
            "name_en": campaign.name_en,
            "target": campaign.target,
            "questions": [q.key for q in new.questions],
        },
    )
    await session.commit()
    return campaign


async def publish_questions(
    session: AsyncSession,
    principal: Principal,
    campaign_id: uuid.UUID,
    questions: Sequence[QuestionIn],
) -> QuestionSetRow:
    """A new version of the campaign's questions. Earlier versions stay as they were."""
    user_id = principal.require(MANAGERS)
    await campaign(session, principal, campaign_id)
    errors = _question_errors(questions)
    if errors:
        raise InvalidInput(errors)
    published = await repository.add_question_set(session, campaign_id, _question_rows(questions))
    audit.record(
        session,
        actor_id=user_id,
        action="campaign.publish_questions",
        entity_type="campaign",
        entity_id=campaign_id,
        after={"version": published.version, "questions": [q.key for q in questions]},
    )
    await session.commit()
    found = await repository.question_sets(
        session, [campaign_id], [(campaign_id, published.version)]
    )
    return found[(campaign_id, published.version)]


async def campaign(session: AsyncSession, principal: Principal, campaign_id: uuid.UUID) -> Campaign:
    principal.require(STAFF)
    found = (await repository.campaigns_by_id(session, [campaign_id])).get(campaign_id)
    if found is None:
        raise no_such_campaign("campaignId", NotFound)
    return found


async def campaigns(session: AsyncSession, principal: Principal) -> Sequence[Campaign]:
    principal.require(STAFF)
    return await repository.campaigns(session)


async def question_sets(
    session: AsyncSession, campaign_ids: Sequence[uuid.UUID]
) -> dict[uuid.UUID, list[QuestionSetRow]]:
    """Every version of each campaign's questions, oldest first (for a DataLoader)."""
    grouped: dict[uuid.UUID, list[QuestionSetRow]] = {i: [] for i in campaign_ids}
    for (campaign_id, _), row in (await repository.question_sets(session, campaign_ids)).items():
        grouped[campaign_id].append(row)
    return grouped
