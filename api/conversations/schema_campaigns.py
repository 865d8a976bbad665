"""GraphQL for campaigns and their versioned question sets."""

from __future__ import annotations

import uuid
from datetime import date, datetime

import strawberry

from api.context import Info
from api.conversations import campaigns, loaders
from api.conversations.inputs import CampaignIn, ChoiceIn, CountyTargetIn, QuestionIn, QuestionType
from api.conversations.models import Campaign, Question
from api.conversations.repository import QuestionSetRow
from api.shared.language import Language, pick
from api.shared.payloads import answer
from api.shared.user_errors import UserError

strawberry.enum(QuestionType, description="How a question is answered.")


@strawberry.type(name="QuestionChoice")
class ChoiceType:
    key: str
    label_en: str
    label_cy: str | None
    label: str = strawberry.field(description="In the language the request asked for.")


@strawberry.type(name="Question")
class QuestionType_:
    key: str = strawberry.field(description="Stable across versions; answers are keyed by it.")
    type: QuestionType
    required: bool
    text_en: str
    text_cy: str | None
    text: str = strawberry.field(description="In the language the request asked for.")
    choices: list[ChoiceType]

    @classmethod
    def of(cls, q: Question, language: Language) -> QuestionType_:
        return cls(
            key=q.key,
            type=QuestionType(q.type),
            required=q.required,
            text_en=q.text_en,
            text_cy=q.text_cy,
            text=pick(language, q.text_en, q.text_cy) or q.text_en,
            choices=[
                ChoiceType(
                    key=c["key"],
                    label_en=c["en"],
                    label_cy=c["cy"],
                    label=pick(language, c["en"], c["cy"]) or c["en"],
                )
                for c in q.choices
            ],
        )


@strawberry.type(name="QuestionSet", description="One published version of the questions.")
class QuestionSetType:
    version: int
    published_at: datetime
    questions: list[QuestionType_]

    @classmethod
    def of(cls, row: QuestionSetRow, language: Language) -> QuestionSetType:
        return cls(
            version=row.version,
            published_at=row.published_at,
            questions=[QuestionType_.of(q, language) for q in row.questions],
        )


@strawberry.type(name="Campaign")
class CampaignType:
    id: uuid.UUID
    name_en: str
    name_cy: str | None
    name: str
    target: int
    starts_on: date | None
    ends_on: date | None
    double_coding_share: float = strawberry.field(
        description="Share of conversations a second coder codes again (0-1)."
    )
    codebook_version: int

    @strawberry.field(description="Every version of the questions, oldest first.")
    async def question_sets(self, info: Info) -> list[QuestionSetType]:
        rows = await loaders.question_sets(info.context).load(self.id)
        return [QuestionSetType.of(r, info.context.language) for r in rows]

    @classmethod
    def of(cls, c: Campaign, language: Language) -> CampaignType:
        return cls(
            id=c.id,
            name_en=c.name_en,
            name_cy=c.name_cy,
            name=pick(language, c.name_en, c.name_cy) or c.name_en,
            target=c.target,
            starts_on=c.starts_on,
            ends_on=c.ends_on,
            double_coding_share=c.double_coding_share,
            codebook_version=c.codebook_version,
        )


@strawberry.input
class QuestionChoiceInput:
    key: str
    label_en: str
    label_cy: str | None = None


@strawberry.input
class QuestionInput:
    key: str
    type: QuestionType
    text_en: str
    text_cy: str | None = None
    required: bool = False
    choices: list[QuestionChoiceInput] = strawberry.field(default_factory=list)

    def plain(self) -> QuestionIn:
        return QuestionIn(
            key=self.key,
            type=self.type,
            text_en=self.text_en,
            text_cy=self.text_cy,
            required=self.required,
            choices=tuple(ChoiceIn(c.key, c.label_en, c.label_cy) for c in self.choices),
        )


@strawberry.input
class CountyTargetInput:
    county_code: str
    target: int


@strawberry.input
class CreateCampaignInput:
    name_en: str
    questions: list[QuestionInput]
    name_cy: str | None = None
    target: int = 10_000
    county_targets: list[CountyTargetInput] = strawberry.field(
        default_factory=list,
        description="Counties left out share what remains of the target by population.",
    )
    starts_on: date | None = None
    ends_on: date | None = None
    double_coding_share: float = 0.2


@strawberry.type
class CreateCampaignPayload:
    campaign: CampaignType | None = None
    user_errors: list[UserError] = strawberry.field(default_factory=list)


@strawberry.type
class PublishQuestionsPayload:
    question_set: QuestionSetType | None = None
    user_errors: list[UserError] = strawberry.field(default_factory=list)


@strawberry.type
class Query:
    @strawberry.field(description="Every campaign (signed-in staff).")
    async def campaigns(self, info: Info) -> list[CampaignType]:
        rows = await campaigns.campaigns(info.context.session, await info.context.principal())
        return [CampaignType.of(c, info.context.language) for c in rows]

    @strawberry.field
    async def campaign(self, info: Info, id: uuid.UUID) -> CampaignType:
        row = await campaigns.campaign(info.context.session, await info.context.principal(), id)
        return CampaignType.of(row, info.context.language)


@strawberry.type
class Mutation:
    @strawberry.mutation(description="Start a campaign with version 1 of its questions.")
    async def create_campaign(
        self, info: Info, input: CreateCampaignInput
    ) -> CreateCampaignPayload:
        new = CampaignIn(
            name_en=input.name_en,
            name_cy=input.name_cy,
            questions=tuple(q.plain() for q in input.questions),
            target=input.target,
            county_targets=tuple(
                CountyTargetIn(t.county_code, t.target) for t in input.county_targets
            ),
            starts_on=input.starts_on,
            ends_on=input.ends_on,
            double_coding_share=input.double_coding_share,
        )
        return await answer(
            info,
            CreateCampaignPayload,
            campaigns.create_campaign,
            new,
            campaign=lambda row: CampaignType.of(row, info.context.language),
        )

    @strawberry.mutation(
        description="Publish a new version of a campaign's questions; answers recorded under "
        "earlier versions keep theirs."
    )
    async def publish_questions(
        self, info: Info, campaign_id: uuid.UUID, questions: list[QuestionInput]
    ) -> PublishQuestionsPayload:
        return await answer(
            info,
            PublishQuestionsPayload,
            campaigns.publish_questions,
            campaign_id,
            [q.plain() for q in questions],
            question_set=lambda row: QuestionSetType.of(row, info.context.language),
        )
