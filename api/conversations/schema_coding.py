"""GraphQL for the codebook, coding, the coding queue, suggestions and agreement."""

from __future__ import annotations

import uuid
from enum import Enum

import strawberry

from api.context import Info
from api.conversations import agreement, codebook, coding, second_coders
from api.conversations.agreement import Agreement
from api.conversations.inputs import CodingIn, ThemeIn
from api.conversations.models import Theme
from api.conversations.schema_capture import ConversationType
from api.shared.language import Language, pick
from api.shared.pagination import PageRequest
from api.shared.payloads import answer
from api.shared.user_errors import UserError


@strawberry.type(name="Theme", description="A code of a campaign's codebook.")
class ThemeType:
    id: uuid.UUID
    key: str
    parent_id: uuid.UUID | None = strawberry.field(description="Set on sub-themes.")
    label_en: str
    label_cy: str | None
    label: str
    description_en: str | None
    description_cy: str | None
    keywords: list[str]
    added_in: int = strawberry.field(description="Codebook version that added it.")
    retired_in: int | None = strawberry.field(description="Codebook version that retired it.")
    merged_into_id: uuid.UUID | None

    @classmethod
    def of(cls, t: Theme, language: Language) -> ThemeType:
        return cls(
            id=t.id,
            key=t.key,
            parent_id=t.parent_id,
            label_en=t.label_en,
            label_cy=t.label_cy,
            label=pick(language, t.label_en, t.label_cy) or t.label_en,
            description_en=t.description_en,
            description_cy=t.description_cy,
            keywords=list(t.keywords),
            added_in=t.added_in,
            retired_in=t.retired_in,
            merged_into_id=t.merged_into_id,
        )


@strawberry.input
class ThemeInput:
    key: str
    label_en: str
    label_cy: str | None = None
    description_en: str | None = None
    description_cy: str | None = None
    parent_id: uuid.UUID | None = strawberry.field(default=None, description="For a sub-theme.")
    keywords: list[str] = strawberry.field(
        default_factory=list, description="Words that suggest this theme (never code it)."
    )


@strawberry.input
class CodingInput:
    theme_id: uuid.UUID
    question_key: str
    excerpt: str | None = strawberry.field(
        default=None, description="Quoted word for word from the answer."
    )


@strawberry.type
class ThemePayload:
    theme: ThemeType | None = None
    user_errors: list[UserError] = strawberry.field(default_factory=list)


@strawberry.type(name="Coding")
class CodingType:
    theme_id: uuid.UUID
    question_key: str
    excerpt: str | None


@strawberry.type
class CodeConversationPayload:
    round: int | None = strawberry.field(
        default=None, description="1: you are its first coder; 2: its second coder."
    )
    codings: list[CodingType] = strawberry.field(default_factory=list)
    user_errors: list[UserError] = strawberry.field(default_factory=list)


@strawberry.type
class CodingTask:
    round: int
    conversation: ConversationType


@strawberry.enum(description="Why nobody can do a second coding.")
class SecondCodingHold(Enum):
    UNASSIGNED = "UNASSIGNED"
    CODER_CANNOT_CODE = strawberry.enum_value(
        "CODER_CANNOT_CODE",
        description="The coder given it may no longer code in its county.",
    )


@strawberry.type(description="A second coding nobody can do until a coordinator reassigns it.")
class WaitingSecondCoding:
    hold: SecondCodingHold
    conversation: ConversationType


@strawberry.type
class ReassignSecondCoderPayload:
    conversation: ConversationType | None = None
    user_errors: list[UserError] = strawberry.field(default_factory=list)


@strawberry.type
class ThemeSuggestion:
    theme: ThemeType
    question_key: str
    keyword: str


@strawberry.type
class AgreementFigures:
    conversations: int = strawberry.field(
        description="Double-coded conversations the figures rest on."
    )
    percent_agreement: float | None
    kappa: float | None = strawberry.field(description="Cohen's kappa; null when undefined.")

    @classmethod
    def of(cls, a: Agreement, conversations: int) -> AgreementFigures:
        return cls(conversations=conversations, percent_agreement=a.percent, kappa=a.kappa)


@strawberry.type
class ThemeAgreement:
    theme: ThemeType
    figures: AgreementFigures


@strawberry.type
class CodingAgreement:
    overall: AgreementFigures = strawberry.field(
        description="Every (conversation, theme) decision pooled into one table."
    )
    themes: list[ThemeAgreement]


@strawberry.type
class Query:
    @strawberry.field(
        description="A campaign's codebook: themes, then sub-themes, by label in the "
        "language asked for (Welsh in the Welsh alphabet's order)."
    )
    async def codebook(self, info: Info, campaign_id: uuid.UUID) -> list[ThemeType]:
        rows = await codebook.codebook(
            info.context.session,
            await info.context.principal(),
            campaign_id,
            info.context.language,
        )
        return [ThemeType.of(t, info.context.language) for t in rows]

    @strawberry.field(
        description="Your next conversations to code: the second codings given to you, then "
        "uncoded ones."
    )
    async def coding_queue(
        self, info: Info, campaign_id: uuid.UUID, first: int | None = None
    ) -> list[CodingTask]:
        page = PageRequest.parse(first, None, info.context.settings.page_size_max, ())
        rows = await coding.coding_queue(
            info.context.session, await info.context.principal(), campaign_id, page
        )
        return [CodingTask(round=r, conversation=ConversationType.of(c)) for r, c in rows]

    @strawberry.field(
        description="Second codings nobody can do, in your COORDINATOR counties, longest "
        "waiting first."
    )
    async def second_codings_waiting(
        self, info: Info, campaign_id: uuid.UUID, first: int | None = None
    ) -> list[WaitingSecondCoding]:
        page = PageRequest.parse(first, None, info.context.settings.page_size_max, ())
        rows = await second_coders.waiting(
            info.context.session, await info.context.principal(), campaign_id, page
        )
        return [
            WaitingSecondCoding(hold=SecondCodingHold(h), conversation=ConversationType.of(c))
            for h, c in rows
        ]

    @strawberry.field(description="Themes whose keywords occur in the answers; not codings.")
    async def theme_suggestions(
        self, info: Info, conversation_id: uuid.UUID
    ) -> list[ThemeSuggestion]:
        found = await coding.suggestions(
            info.context.session, await info.context.principal(), conversation_id
        )
        return [
            ThemeSuggestion(
                theme=ThemeType.of(s.theme, info.context.language),
                question_key=s.question_key,
                keyword=s.keyword,
            )
            for s in found
        ]

    @strawberry.field(description="Agreement between first and second coders.")
    async def coding_agreement(self, info: Info, campaign_id: uuid.UUID) -> CodingAgreement:
        report = await agreement.coding_agreement(
            info.context.session, await info.context.principal(), campaign_id
        )
        language = info.context.language
        return CodingAgreement(
            overall=AgreementFigures.of(report.overall, report.conversations),
            themes=[
                ThemeAgreement(
                    theme=ThemeType.of(t, language),
                    figures=AgreementFigures.of(a, report.conversations),
                )
                for t, a in report.themes
            ],
        )


@strawberry.type
class Mutation:
    @strawberry.mutation(description="Add a theme or sub-theme to a codebook while coding.")
    async def add_theme(
        self, info: Info, campaign_id: uuid.UUID, input: ThemeInput
    ) -> ThemePayload:
        new = ThemeIn(
            key=input.key,
            label_en=input.label_en,
            label_cy=input.label_cy,
            description_en=input.description_en,
            description_cy=input.description_cy,
            parent_id=input.parent_id,
            keywords=tuple(input.keywords),
        )
        return await answer(
            info,
            ThemePayload,
            codebook.add_theme,
            campaign_id,
            new,
            theme=lambda theme: ThemeType.of(theme, info.context.language),
        )

    @strawberry.mutation(description="Fold one theme into another; its codings move across.")
    async def merge_themes(
        self, info: Info, source_id: uuid.UUID, survivor_id: uuid.UUID
    ) -> ThemePayload:
        return await answer(
            info,
            ThemePayload,
            codebook.merge_themes,
            source_id,
            survivor_id,
            theme=lambda theme: ThemeType.of(theme, info.context.language),
        )

    @strawberry.mutation(description="Stop a theme being used for new codings.")
    async def retire_theme(self, info: Info, id: uuid.UUID) -> ThemePayload:
        return await answer(
            info,
            ThemePayload,
            codebook.retire_theme,
            id,
            theme=lambda theme: ThemeType.of(theme, info.context.language),
        )

    @strawberry.mutation(
        description="Give a conversation's second coding to another coder (COORDINATOR of "
        "its county): to coderId, or with no coderId to someone drawn at random. Never to "
        "its first coder."
    )
    async def reassign_second_coder(
        self, info: Info, conversation_id: uuid.UUID, coder_id: uuid.UUID | None = None
    ) -> ReassignSecondCoderPayload:
        return await answer(
            info,
            ReassignSecondCoderPayload,
            second_coders.reassign,
            conversation_id,
            coder_id,
            conversation=ConversationType.of,
        )

    @strawberry.mutation(
        description="Replace your codings of a conversation (ENGAGEMENT or COORDINATOR of "
        "its county). The first and second coder's codings are kept apart."
    )
    async def code_conversation(
        self, info: Info, id: uuid.UUID, codings: list[CodingInput]
    ) -> CodeConversationPayload:
        return await answer(
            info,
            CodeConversationPayload,
            coding.code_conversation,
            id,
            [CodingIn(c.theme_id, c.question_key, c.excerpt) for c in codings],
            round=lambda coded: coded[0],
            codings=lambda coded: [
                CodingType(
                    theme_id=r["theme_id"], question_key=r["question_key"], excerpt=r["excerpt"]
                )
                for r in coded[1]
            ],
        )
