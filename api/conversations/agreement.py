"""How far first and second coders agree, on the double-coded conversations: per theme
(did each coder apply it to the conversation, yes or no) and over every theme at once."""

from __future__ import annotations

import uuid
from collections import defaultdict
from dataclasses import dataclass

from sqlalchemy.ext.asyncio import AsyncSession

from api.auth.principal import Principal
from api.conversations import campaigns, repository
from api.conversations.access import CODERS, MANAGERS
from api.conversations.models import Theme


@dataclass(frozen=True)
class Agreement:
    """A 2x2 table of two coders' yes/no decisions: both yes, first only, second only,
    both no."""

    both: int
    first_only: int
    second_only: int
    neither: int

    @property
    def decisions(self) -> int:
        return self.both + self.first_only + self.second_only + self.neither

    @property
    def percent(self) -> float | None:
        n = self.decisions
        return None if n == 0 else 100 * (self.both + self.neither) / n

    @property
    def kappa(self) -> float | None:
        """Cohen's kappa: (observed - chance agreement) / (1 - chance agreement); None when
        chance agreement is already perfect (e.g. nobody ever used the theme)."""
        n = self.decisions
        if n == 0:
            return None
        observed = (self.both + self.neither) / n
        first_yes = (self.both + self.first_only) / n
        second_yes = (self.both + self.second_only) / n
        chance = first_yes * second_yes + (1 - first_yes) * (1 - second_yes)
        return None if chance == 1 else (observed - chance) / (1 - chance)

    def __add__(self, other: Agreement) -> Agreement:
        return Agreement(
            self.both + other.both,
            self.first_only + other.first_only,
            self.second_only + other.second_only,
            self.neither + other.neither,
        )


@dataclass(frozen=True)
class AgreementReport:
    conversations: int
    overall: Agreement
    themes: list[tuple[Theme, Agreement]]


async def coding_agreement(
    session: AsyncSession, principal: Principal, campaign_id: uuid.UUID
) -> AgreementReport:
    principal.require((*CODERS, *MANAGERS))
    await campaigns.campaign(session, principal, campaign_id)
    ids, codings = await repository.double_codings(session, campaign_id)
    applied: dict[uuid.UUID, dict[int, set[uuid.UUID]]] = defaultdict(lambda: defaultdict(set))
    for conversation_id, round_, theme_id in codings:
        applied[theme_id][round_].add(conversation_id)
    themes = await repository.themes_by_id(session, applied)
    per_theme = []
    for theme_id, rounds in applied.items():
        first, second = rounds[1], rounds[2]
        per_theme.append(
            (
                themes[theme_id],
                Agreement(
                    both=len(first & second),
                    first_only=len(first - second),
                    second_only=len(second - first),
                    neither=len(ids) - len(first | second),
                ),
            )
        )
    per_theme.sort(key=lambda pair: (pair[0].label_en, pair[0].id))
    overall = sum((a for _, a in per_theme), Agreement(0, 0, 0, 0))
    return AgreementReport(conversations=len(ids), overall=overall, themes=per_theme)
