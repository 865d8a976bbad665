"""GraphQL for recording, reading, withdrawing, erasing and redacting conversations."""

from __future__ import annotations

import uuid
from collections.abc import Mapping
from datetime import datetime
from typing import Annotated, Any

import strawberry
from strawberry.types.arguments import InputContext

from api.context import Info
from api.conversations import capture, loaders, privacy
from api.conversations.inputs import (
    AgeBand,
    AnswerIn,
    Channel,
    ConsentIn,
    ContactIn,
    ConversationIn,
    Gender,
    ProfileIn,
)
from api.conversations.models import Conversation
from api.shared.language import Language
from api.shared.payloads import answer
from api.shared.user_errors import BatchStatus, UserError

strawberry.enum(Channel, description="How the conversation was held.")
strawberry.enum(AgeBand, description="The respondent's age band.")
strawberry.enum(Gender, name="RespondentGender")


@strawberry.type(
    name="ConversationPersonalDataFlag",
    description="A span of an answer that looks like personal data.",
)
class PersonalDataFlag:
    kind: str = strawberry.field(description="EMAIL, PHONE, POSTCODE or NAME.")
    start: int
    end: int


@strawberry.type(name="ConversationAnswer")
class AnswerType:
    question_key: str
    text: str | None
    choices: list[str] | None
    scale: int | None
    personal_data: list[PersonalDataFlag]


@strawberry.type(name="ConversationContact", description="Never exported.")
class ContactType:
    name: str | None
    email: str | None
    phone: str | None


@strawberry.type(name="ConversationCoding", description="Where a conversation is in coding.")
class CodingStateType:
    double_coded: bool = strawberry.field(description="Chosen at random for a second coding.")
    first_coder_id: uuid.UUID | None
    first_coded_at: datetime | None
    second_coder_id: uuid.UUID | None = strawberry.field(
        description="Drawn at random when it is first coded; null while nobody can be."
    )
    second_coded_at: datetime | None


@strawberry.type(name="ConversationThemeCoding", description="A theme a coder applied.")
class AppliedCodingType:
    round: int = strawberry.field(description="1: the first coder's; 2: the second coder's.")
    coder_id: uuid.UUID
    theme_id: uuid.UUID
    question_key: str
    excerpt: str | None


@strawberry.type(name="Conversation")
class ConversationType:
    id: uuid.UUID
    reference_code: str
    campaign_id: uuid.UUID
    question_set_version: int
    collected_at: datetime
    channel: Channel
    language: Language
    county_code: str
    community_id: uuid.UUID | None
    grid_ref: str | None = strawberry.field(
        description="The 1 km grid square, only where no community contains the place."
    )
    may_contact: bool
    may_quote: bool
    age_band: AgeBand | None
    gender: Gender | None
    postcode_district: str | None
    welsh_speaker: bool | None
    disability: bool | None
    carer: bool | None
    answers: list[AnswerType]
    coding: CodingStateType

    @strawberry.field(
        description="Its codings. A second coder sees only their own until they are done."
    )
    async def codings(self, info: Info) -> list[AppliedCodingType]:
        return [
            AppliedCodingType(
                round=c.round,
                coder_id=c.coder_id,
                theme_id=c.theme_id,
                question_key=c.question_key,
                excerpt=c.excerpt,
            )
            for c in await loaders.codings(info.context).load(self.id)
        ]

    @strawberry.field(description="Only for COORDINATOR or ADMIN of the conversation's county.")
    async def contact(self, info: Info) -> ContactType | None:
        found = await loaders.contacts(info.context).load(self.id)
        return ContactType(name=found.name, email=found.email, phone=found.phone) if found else None

    @classmethod
    def of(cls, c: Conversation) -> ConversationType:
        return cls(
            id=c.id,
            reference_code=c.reference_code,
            campaign_id=c.campaign_id,
            question_set_version=c.question_set_version,
            collected_at=c.collected_at,
            channel=Channel(c.channel),
            language=Language(c.language),
            county_code=c.county_code,
            community_id=c.community_id,
            grid_ref=c.grid_ref,
            may_contact=c.may_contact,
            may_quote=c.may_quote,
            age_band=AgeBand(c.age_band) if c.age_band else None,
            gender=Gender(c.gender) if c.gender else None,
            postcode_district=c.postcode_district,
            welsh_speaker=c.welsh_speaker,
            disability=c.disability,
            carer=c.carer,
            answers=[_answer(key, value, c.flags.get(key, [])) for key, value in c.answers.items()],
            coding=CodingStateType(
                double_coded=c.double_code,
                first_coder_id=c.first_coder_id,
                first_coded_at=c.first_coded_at,
                second_coder_id=c.second_coder_id,
                second_coded_at=c.second_coded_at,
            ),
        )


def _answer(key: str, value: Any, flags: list[dict[str, Any]]) -> AnswerType:
    return AnswerType(
        question_key=key,
        text=value if isinstance(value, str) else None,
        choices=value if isinstance(value, list) else None,
        scale=value if isinstance(value, int) else None,
        personal_data=[
            PersonalDataFlag(kind=f["kind"], start=f["start"], end=f["end"]) for f in flags
        ],
    )


@strawberry.input(
    name="ConversationAnswerInput",
    description="Exactly one of text, choices or scale, as the question's type says.",
)
class AnswerInput:
    question_key: str
    text: str | None = None
    choices: list[str] | None = None
    scale: int | None = None


@strawberry.input(name="ConversationConsentInput")
class ConsentInput:
    store: bool = strawberry.field(description="Without it nothing is stored.")
    contact: bool = False
    quote: bool = False


@strawberry.input(
    name="RespondentProfileInput", description="All optional and banded; nothing more identifying."
)
class ProfileInput:
    age_band: AgeBand | None = None
    gender: Gender | None = None
    postcode_district: str | None = strawberry.field(
        default=None, description="The outward code only, e.g. SA31."
    )
    welsh_speaker: bool | None = None
    disability: bool | None = None
    carer: bool | None = None


@strawberry.input(
    name="ConversationContactInput",
    description="Only with consent to be contacted; kept apart from the answers.",
)
class ContactInput:
    name: str | None = None
    email: str | None = None
    phone: str | None = None


@strawberry.input(description="A point from a phone; coarsened to the community before storage.")
class ConversationLocationInput:
    lat: float
    lon: float
    accuracy_m: float | None = None


@strawberry.input
class ConversationInput:
    id: uuid.UUID = strawberry.field(description="Made by the phone; sending it again is a no-op.")
    campaign_id: uuid.UUID
    question_set_version: int
    collected_at: datetime
    channel: Channel
    language: Language
    consent: ConsentInput
    answers: list[AnswerInput]
    profile: ProfileInput | None = None
    contact: ContactInput | None = None
    location: ConversationLocationInput | None = None
    community_id: uuid.UUID | None = None
    county_code: str | None = strawberry.field(
        default=None, description="Only when neither a location nor a community is known."
    )


def _conversation_in(
    _cls: type, value: Mapping[str, Any], _context: InputContext
) -> ConversationIn:
    """A ConversationInput as the service's plain record, straight from the values GraphQL
    has already checked and typed: Strawberry's generic field-by-field conversion costs
    more than everything else in a batch of 500."""
    consent, profile, contact = value["consent"], value.get("profile"), value.get("contact")
    location = value.get("location")
    return ConversationIn(
        id=value["id"],
        campaign_id=value["campaignId"],
        question_set_version=value["questionSetVersion"],
        collected_at=value["collectedAt"],
        channel=value["channel"],
        language=value["language"].value,
        consent=ConsentIn(consent["store"], consent["contact"], consent["quote"]),
        answers=tuple(
            AnswerIn(
                a["questionKey"],
                a.get("text"),
                tuple(a["choices"]) if a.get("choices") is not None else None,
                a.get("scale"),
            )
            for a in value["answers"]
        ),
        profile=ProfileIn(
            profile.get("ageBand"),
            profile.get("gender"),
            profile.get("postcodeDistrict"),
            profile.get("welshSpeaker"),
            profile.get("disability"),
            profile.get("carer"),
        )
        if profile
        else ProfileIn(),
        contact=ContactIn(contact.get("name"), contact.get("email"), contact.get("phone"))
        if contact
        else None,
        lat=location["lat"] if location else None,
        lon=location["lon"] if location else None,
        community_id=value.get("communityId"),
        county_code=value.get("countyCode"),
    )


ConversationInput.__strawberry_definition__.from_input = _conversation_in


@strawberry.type(description="What happened to one conversation of a batch.")
class ConversationResult:
    id: uuid.UUID
    status: BatchStatus
    reference_code: str | None = strawberry.field(
        description="Give it to the respondent: it lets them withdraw without an account."
    )
    user_errors: list[UserError]


@strawberry.type
class RecordConversationsPayload:
    results: list[ConversationResult] = strawberry.field(
        description="One per input item, in input order."
    )


@strawberry.type
class WithdrawConversationPayload:
    message: str = strawberry.field(
        description="The same whether or not the code matched a conversation."
    )


@strawberry.type
class EraseConversationPayload:
    erased_id: uuid.UUID


@strawberry.type
class RedactAnswerPayload:
    conversation: ConversationType | None = None
    user_errors: list[UserError] = strawberry.field(default_factory=list)


@strawberry.type
class Query:
    @strawberry.field(description="One conversation (staff of its county).")
    async def conversation(self, info: Info, id: uuid.UUID) -> ConversationType:
        row = await privacy.readable(info.context.session, await info.context.principal(), id)
        return ConversationType.of(row)


@strawberry.type
class Mutation:
    @strawberry.mutation(description="Record up to 500 conversations made offline.")
    async def record_conversations(
        self,
        info: Info,
        input: Annotated[
            list[ConversationIn], strawberry.argument(graphql_type=list[ConversationInput])
        ],
    ) -> RecordConversationsPayload:
        outcomes = await capture.record_conversations(
            info.context.session, info.context.settings, await info.context.principal(), input
        )
        return RecordConversationsPayload(
            results=[
                ConversationResult(
                    id=o.id,
                    status=o.status,
                    reference_code=o.record,
                    user_errors=[UserError.of(e) for e in o.errors],
                )
                for o in outcomes
            ]
        )

    @strawberry.mutation(
        description="Erase a conversation by its reference code; no account needed, a few "
        "tries a minute per address. Nothing is kept but a count."
    )
    async def withdraw_conversation(
        self, info: Info, reference_code: str
    ) -> WithdrawConversationPayload:
        await info.context.withdrawals.check(info.context.client_address, info.context.response)
        message = await privacy.withdraw(info.context.session, reference_code)
        return WithdrawConversationPayload(message=message)

    @strawberry.mutation(description="Erase a conversation (COORDINATOR or ADMIN of its county).")
    async def erase_conversation(self, info: Info, id: uuid.UUID) -> EraseConversationPayload:
        await privacy.erase(info.context.session, await info.context.principal(), id)
        return EraseConversationPayload(erased_id=id)

    @strawberry.mutation(
        description="Replace answer[start:end] with [redacted]; the audit log keeps where, "
        "never what."
    )
    async def redact_answer(
        self, info: Info, conversation_id: uuid.UUID, question_key: str, start: int, end: int
    ) -> RedactAnswerPayload:
        return await answer(
            info,
            RedactAnswerPayload,
            privacy.redact_answer,
            conversation_id,
            question_key,
            start,
            end,
            conversation=ConversationType.of,
        )
