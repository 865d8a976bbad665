"""GraphQL for choosing communities: rounds, explained rankings, decisions, comparisons."""

from __future__ import annotations

import uuid
from datetime import datetime

import strawberry

from api.context import Info
from api.places.types import Community
from api.selection import indicators, service
from api.selection.models import SelectionCriterion as CriterionRow
from api.selection.models import SelectionDecision as DecisionRow
from api.selection.models import SelectionRound as RoundRow
from api.selection.scoring import Criterion, Direction, Normalisation
from api.shared.language import pick
from api.shared.payloads import answer
from api.shared.user_errors import UserError

strawberry.enum(Direction, description="Whether a higher value means more priority.")
strawberry.enum(Normalisation, description="How values are put on a 0-1 scale in a county.")


@strawberry.type(description="Something a selection can weigh, and where it comes from.")
class Indicator:
    key: str
    label_en: str
    label_cy: str
    source: str

    @strawberry.field
    def label(self, info: Info) -> str:
        return pick(info.context.language, self.label_en, self.label_cy) or self.key

    @classmethod
    def of(cls, key: str) -> Indicator:
        i = indicators.INDICATORS[key]
        return cls(key=key, label_en=i.label_en, label_cy=i.label_cy, source=i.source_description)


@strawberry.type
class SelectionCriterion:
    indicator: Indicator
    weight: float
    direction: Direction

    @classmethod
    def of(cls, row: CriterionRow) -> SelectionCriterion:
        return cls(
            indicator=Indicator.of(row.indicator),
            weight=row.weight,
            direction=Direction(row.direction),
        )


@strawberry.type(description="A community shortlisted or selected, with the reason.")
class SelectionDecision:
    community_id: uuid.UUID
    county_code: str
    kind: str
    rationale: str
    decided_by: uuid.UUID
    decided_at: datetime

    @classmethod
    def of(cls, row: DecisionRow) -> SelectionDecision:
        return cls(
            community_id=row.community_id,
            county_code=row.county_code,
            kind=row.kind,
            rationale=row.rationale,
            decided_by=row.decided_by,
            decided_at=row.decided_at,
        )


@strawberry.type
class SelectionRound:
    id: uuid.UUID
    programme: str
    name: str
    round_version: int
    previous_id: uuid.UUID | None
    status: str
    normalisation: Normalisation
    county_codes: list[str]

    @classmethod
    def of(cls, row: RoundRow) -> SelectionRound:
        return cls(
            id=row.id,
            programme=row.programme,
            name=row.name,
            round_version=row.round_version,
            previous_id=row.previous_id,
            status=row.status,
            normalisation=Normalisation(row.normalisation),
            county_codes=list(row.county_codes),
        )

    @strawberry.field
    async def criteria(self, info: Info) -> list[SelectionCriterion]:
        rows = await service.criteria(info.context.session, self.id)
        return [SelectionCriterion.of(r) for r in rows]

    @strawberry.field
    async def decisions(self, info: Info) -> list[SelectionDecision]:
        rows = await service.decisions(info.context.session, self.id)
        return [SelectionDecision.of(r) for r in rows]


@strawberry.type(description="One criterion's part in a score.")
class ScorePart:
    indicator: str
    raw: float | None = strawberry.field(description="The indicator's value (null: missing).")
    normalised: float = strawberry.field(description="0-1 within the county, after direction.")
    contribution: float = strawberry.field(description="Weight share times normalised value.")


@strawberry.type
class RankedCommunity:
    rank: int
    community: Community
    score: float
    decisions: list[str]
    parts: list[ScorePart]


@strawberry.type
class IndicatorValue:
    indicator: str
    value: float | None


@strawberry.type(
    name="CommunityTheme", description="A theme people raised, and in how many conversations."
)
class ThemeCount:
    label_en: str
    label_cy: str | None
    conversations: int

    @strawberry.field
    def label(self, info: Info) -> str:
        return pick(info.context.language, self.label_en, self.label_cy) or ""


@strawberry.type
class ComparisonRow:
    community: Community
    values: list[IndicatorValue]
    top_themes: list[ThemeCount] = strawberry.field(
        description="The themes first-coded in most conversations here (a theme counts those "
        "of its sub-themes), from the tallies the conversations keep."
    )


@strawberry.type(description="Indicators side by side, as computed at `computedAt`.")
class Comparison:
    computed_at: datetime
    indicators: list[Indicator]
    rows: list[ComparisonRow]


@strawberry.input(name="SelectionCriterionInput")
class CriterionInput:
    indicator: str
    weight: float
    direction: Direction = Direction.HIGHER

    def plain(self) -> Criterion:
        return Criterion(self.indicator, self.weight, self.direction)


@strawberry.input
class CreateSelectionRoundInput:
    programme: str
    name: str
    set_code: str
    county_codes: list[str]
    criteria: list[CriterionInput]
    normalisation: Normalisation = Normalisation.MIN_MAX


@strawberry.type
class SelectionRoundPayload:
    round: SelectionRound | None = None
    user_errors: list[UserError] = strawberry.field(default_factory=list)


@strawberry.type
class SelectionDecisionPayload:
    decision: SelectionDecision | None = None
    user_errors: list[UserError] = strawberry.field(default_factory=list)


@strawberry.type
class Query:
    @strawberry.field(description="What a selection round can weigh (computed live).")
    def selection_indicators(self) -> list[Indicator]:
        return [Indicator.of(k) for k in indicators.INDICATORS]

    @strawberry.field
    async def selection_round(self, info: Info, id: uuid.UUID) -> SelectionRound | None:
        row = await service.round_or_none(info.context.session, await info.context.principal(), id)
        return SelectionRound.of(row) if row else None

    @strawberry.field(description="A county's communities, highest score first, explained.")
    async def selection_ranking(
        self, info: Info, round_id: uuid.UUID, county_code: str
    ) -> list[RankedCommunity]:
        ranked = await service.ranking(
            info.context.session, await info.context.principal(), round_id, county_code
        )
        return [
            RankedCommunity(
                rank=n,
                community=Community.of(r.community),
                score=r.scored.score,
                decisions=r.decisions,
                parts=[
                    ScorePart(
                        indicator=p.indicator,
                        raw=p.raw,
                        normalised=p.normalised,
                        contribution=p.contribution,
                    )
                    for p in r.scored.parts
                ],
            )
            for n, r in enumerate(ranked, start=1)
        ]

    @strawberry.field(description="Every indicator for some communities, for a board paper.")
    async def compare_communities(self, info: Info, ids: list[uuid.UUID]) -> Comparison:
        found = await service.compare(info.context.session, await info.context.principal(), ids)
        return Comparison(
            computed_at=found.computed_at,
            indicators=[Indicator.of(k) for k in found.values],
            rows=[
                ComparisonRow(
                    community=Community.of(c),
                    values=[
                        IndicatorValue(indicator=k, value=v[c.id]) for k, v in found.values.items()
                    ],
                    top_themes=[
                        ThemeCount(
                            label_en=t.label_en, label_cy=t.label_cy, conversations=t.conversations
                        )
                        for t in found.top_themes.get(c.id, [])
                    ],
                )
                for c in found.communities
            ],
        )


async def _decide(
    info: Info, round_id: uuid.UUID, community_id: uuid.UUID, kind: str, rationale: str
) -> SelectionDecisionPayload:
    return await answer(
        info,
        SelectionDecisionPayload,
        service.decide,
        round_id,
        community_id,
        kind,
        rationale,
        decision=SelectionDecision.of,
    )


@strawberry.type
class Mutation:
    @strawberry.mutation(description="Start a selection round (COORDINATOR or ADMIN).")
    async def create_selection_round(
        self, info: Info, input: CreateSelectionRoundInput
    ) -> SelectionRoundPayload:
        new = service.RoundInput(
            programme=input.programme,
            name=input.name,
            set_code=input.set_code,
            county_codes=tuple(input.county_codes),
            criteria=tuple(c.plain() for c in input.criteria),
            normalisation=input.normalisation,
        )
        return await answer(
            info,
            SelectionRoundPayload,
            service.create_round,
            new,
            round=SelectionRound.of,
        )

    @strawberry.mutation(
        description="New criteria; once decisions exist this makes a new version of the round."
    )
    async def change_selection_criteria(
        self,
        info: Info,
        round_id: uuid.UUID,
        criteria: list[CriterionInput],
        normalisation: Normalisation | None = None,
    ) -> SelectionRoundPayload:
        return await answer(
            info,
            SelectionRoundPayload,
            service.change_criteria,
            round_id,
            tuple(c.plain() for c in criteria),
            normalisation,
            round=SelectionRound.of,
        )

    @strawberry.mutation
    async def shortlist_community(
        self, info: Info, round_id: uuid.UUID, community_id: uuid.UUID, rationale: str
    ) -> SelectionDecisionPayload:
        return await _decide(
            info, round_id, community_id, service.DecisionKind.SHORTLISTED, rationale
        )

    @strawberry.mutation
    async def select_community(
        self, info: Info, round_id: uuid.UUID, community_id: uuid.UUID, rationale: str
    ) -> SelectionDecisionPayload:
        return await _decide(info, round_id, community_id, service.DecisionKind.SELECTED, rationale)

    @strawberry.mutation(description="Close a round: every county needs a selected community.")
    async def close_selection_round(self, info: Info, round_id: uuid.UUID) -> SelectionRoundPayload:
        return await answer(
            info,
            SelectionRoundPayload,
            service.close_round,
            round_id,
            round=SelectionRound.of,
        )
