"""Checking one conversation of a batch before anything is written: consent, campaign
and version, answers against their questions, the banded profile, contact details, the
place, and the recorder's right to record there. Each check returns every problem it finds."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from api.auth.principal import Scope, in_scope
from api.conversations.campaigns import CHOICES_MAX, QUESTIONS_MAX, no_such_campaign
from api.conversations.inputs import AnswerIn, ConversationIn, QuestionType
from api.conversations.models import Campaign
from api.conversations.repository import QuestionSetRow
from api.errors import BadInput, DomainError, Forbidden
from api.people.service import not_an_email
from api.places import service as places
from api.places.repository import PlaceRow
from api.shared.limits import over_caps

OUTWARD_CODE = re.compile(r"^[A-Z]{1,2}\d[A-Z\d]?$")
# A phone's clock may run a little fast; a conversation further in the future is a mistake.
CLOCK_SKEW = timedelta(hours=1)


# The answer field each type of question takes.
WANTED = {
    QuestionType.FREE_TEXT: "text",
    QuestionType.SINGLE_CHOICE: "choices",
    QuestionType.MULTIPLE_CHOICE: "choices",
    QuestionType.SCALE_1_5: "scale",
}


@dataclass(frozen=True)
class QuestionRule:
    """What one question accepts, read from its row once per batch rather than once per
    answer (a batch of 500 has thousands of answers and a handful of questions)."""

    kind: QuestionType
    wanted: str
    required: bool
    choices: frozenset[str]


def question_rules(question_set: QuestionSetRow) -> dict[str, QuestionRule]:
    """Each question's rule by key, in the question set's order."""
    rules = {}
    for question in question_set.questions:
        kind = QuestionType(question.type)
        rules[question.key] = QuestionRule(
            kind, WANTED[kind], question.required, frozenset(c["key"] for c in question.choices)
        )
    return rules


def answer_value(
    rule: QuestionRule, answer: AnswerIn, max_chars: int, field: str
) -> tuple[Any, list[DomainError]]:
    kind, wanted = rule.kind, rule.wanted
    given = [
        name
        for name, value in (
            ("text", answer.text),
            ("choices", answer.choices),
            ("scale", answer.scale),
        )
        if value is not None
    ]
    if given != [wanted]:
        return None, [
            BadInput(
                f"This question ({kind.value}) takes an answer in `{wanted}` only.",
                field=field,
                cy=f"Dim ond ateb yn `{wanted}` y mae'r cwestiwn hwn ({kind.value}) yn ei dderbyn.",
            )
        ]
    if kind is QuestionType.FREE_TEXT:
        text = (answer.text or "").strip()
        if len(text) > max_chars:
            return None, [
                BadInput(
                    f"Answers are at most {max_chars} characters (this one has {len(text)}).",
                    field=field,
                    cy=f"Gall ateb fod yn {max_chars} nod ar y mwyaf (mae {len(text)} yn hwn).",
                )
            ]
        return text or None, []
    if kind is QuestionType.SCALE_1_5:
        if not 1 <= (answer.scale or 0) <= 5:
            return None, [
                BadInput(
                    "A scale answer is a whole number from 1 to 5.",
                    field=field,
                    cy="Mae ateb ar raddfa yn rhif cyfan o 1 i 5.",
                )
            ]
        return answer.scale, []
    picked = list(answer.choices or ())
    keys = rule.choices
    if kind is QuestionType.SINGLE_CHOICE and len(picked) != 1:
        return None, [
            BadInput("Pick exactly one choice.", field=field, cy="Dewiswch union un dewis.")
        ]
    if len(set(picked)) != len(picked) or not set(picked) <= keys:
        return None, [
            BadInput(
                f"Pick from the question's choices: {', '.join(sorted(keys))}.",
                field=field,
                cy=f"Dewiswch o blith dewisiadau'r cwestiwn: {', '.join(sorted(keys))}.",
            )
        ]
    return picked or None, []


def answers_of(
    item: ConversationIn, rules: dict[str, QuestionRule], max_chars: int
) -> tuple[dict[str, Any], list[DomainError]]:
    values: dict[str, Any] = {}
    errors: list[DomainError] = []
    for answer in item.answers:
        field = f"answers.{answer.question_key}"
        rule = rules.get(answer.question_key)
        if rule is None:
            errors.append(
                BadInput(
                    f"Version {item.question_set_version} of this campaign has no question "
                    f"{answer.question_key!r}.",
                    field=field,
                    cy=f"Nid oes cwestiwn {answer.question_key!r} yn fersiwn "
                    f"{item.question_set_version} o'r ymgyrch hon.",
                )
            )
            continue
        if answer.question_key in values:
            errors.append(
                BadInput(
                    "This question is answered twice.",
                    field=field,
                    cy="Mae'r cwestiwn hwn wedi'i ateb ddwywaith.",
                )
            )
            continue
        value, problems = answer_value(rule, answer, max_chars, field)
        errors += problems
        if value is not None:
            values[answer.question_key] = value
    for key, rule in rules.items():
        if (
            rule.required
            and key not in values
            and not any(e.field == f"answers.{key}" for e in errors)
        ):
            errors.append(
                BadInput(
                    "This question needs an answer.",
                    field=f"answers.{key}",
                    cy="Mae angen ateb i'r cwestiwn hwn.",
                )
            )
    return values, errors


def point_errors(item: ConversationIn) -> list[DomainError]:
    if (item.lat is None) != (item.lon is None):
        return [
            BadInput(
                "A location needs both lat and lon.",
                field="location",
                cy="Mae angen lat a lon ar leoliad.",
            )
        ]
    if item.lat is None or item.lon is None:
        return []
    return places.point_problems(item.lat, item.lon, "location.")


def item_errors(
    item: ConversationIn,
    campaign: Campaign | None,
    question_set: QuestionSetRow | None,
    now: datetime,
) -> list[DomainError]:
    """What is wrong with an item before looking at where it happened."""
    if len(item.answers) > QUESTIONS_MAX:
        return over_caps((item.answers, QUESTIONS_MAX, "answers"))
    capped = over_caps(
        *(
            (a.choices, CHOICES_MAX, f"answers.{a.question_key}")
            for a in item.answers
            if a.choices is not None and len(a.choices) > CHOICES_MAX
        )
    )
    if capped:
        return capped
    if not item.consent.store:
        return [
            BadInput(
                "The respondent did not consent to their answers being stored, so nothing "
                "was stored.",
                cy="Ni roddodd yr ymatebydd ganiatâd i gadw'r atebion, felly ni chadwyd dim.",
                field="consent.store",
            )
        ]
    errors: list[DomainError] = []
    if campaign is None:
        errors.append(no_such_campaign("campaignId", BadInput))
    elif question_set is None:
        errors.append(
            BadInput(
                f"This campaign has no question set version {item.question_set_version}.",
                field="questionSetVersion",
                cy=f"Nid oes gan yr ymgyrch hon fersiwn {item.question_set_version} "
                "o'r set cwestiynau.",
            )
        )
    if item.collected_at.tzinfo is None:
        errors.append(
            BadInput(
                "Give collectedAt with its time zone (e.g. Z).",
                field="collectedAt",
                cy="Rhowch collectedAt gyda'i gylchfa amser (e.e. Z).",
            )
        )
    elif item.collected_at > now + CLOCK_SKEW:
        errors.append(
            BadInput(
                "collectedAt is in the future.",
                field="collectedAt",
                cy="Mae collectedAt yn y dyfodol.",
            )
        )
    district = item.profile.postcode_district
    if district is not None and not OUTWARD_CODE.match(district.strip().upper()):
        errors.append(
            BadInput(
                "Give only the first part of the postcode (e.g. SA31), never the whole postcode.",
                field="profile.postcodeDistrict",
                cy="Rhowch ran gyntaf y cod post yn unig (e.e. SA31), byth y cod post cyfan.",
            )
        )
    contact = item.contact
    if contact is not None and any((contact.name, contact.email, contact.phone)):
        if not item.consent.contact:
            errors.append(
                BadInput(
                    "Contact details need consent to be contacted; without it, leave them out.",
                    field="contact",
                    cy="Mae angen caniatâd i gysylltu cyn cadw manylion cyswllt; "
                    "hebddo, gadewch nhw allan.",
                )
            )
        if contact.email and ("@" not in contact.email or len(contact.email) > 320):
            errors.append(not_an_email("contact.email"))
        if contact.phone and len(contact.phone) > 32:
            errors.append(
                BadInput(
                    "A phone number is at most 32 characters.",
                    field="contact.phone",
                    cy="Gall rhif ffôn fod yn 32 nod ar y mwyaf.",
                )
            )
        if contact.name and len(contact.name) > 200:
            errors.append(
                BadInput(
                    "A name is at most 200 characters.",
                    field="contact.name",
                    cy="Gall enw fod yn 200 nod ar y mwyaf.",
                )
            )
    return errors + point_errors(item)


def place_errors(item: ConversationIn, place: PlaceRow, capturing: Scope) -> list[DomainError]:
    """What is wrong with where an item was held; `capturing`: the counties its sender may
    record conversations in."""
    if item.community_id is not None and place.community_id is None:
        return [places.no_such_community("communityId")]
    if not place.county_known:
        return [places.no_such_county(item.county_code, "countyCode")]
    if place.county_code is None:
        if item.lat is not None:
            return [
                BadInput(
                    "This location is outside the region's counties.",
                    field="location",
                    cy="Mae'r lleoliad hwn y tu allan i siroedd y rhanbarth.",
                )
            ]
        return [
            BadInput(
                "Say where the conversation happened: a location, a community or a county.",
                field="location",
                cy="Dywedwch ble cafwyd y sgwrs: lleoliad, cymuned neu sir.",
            )
        ]
    if not in_scope(capturing, place.county_code):
        return [
            Forbidden(
                f"You cannot record conversations in county {place.county_code}.",
                field="countyCode",
                cy=f"Ni allwch gofnodi sgyrsiau yn sir {place.county_code}.",
            )
        ]
    return []
