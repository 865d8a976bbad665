"""A campaign's codebook: themes and sub-themes (two levels), added while coding
(inductive), merged (codings move to the survivor) and retired. Every change bumps the
codebook's version; a theme records the version it was added and retired in."""

from __future__ import annotations

import re
import uuid
from collections.abc import Sequence

from sqlalchemy.ext.asyncio import AsyncSession

from api.audit import service as audit
from api.auth.principal import Principal
from api.conversations import campaigns, repository
from api.conversations.access import CODERS, MANAGERS
from api.conversations.inputs import ThemeIn
from api.conversations.models import Theme
from api.errors import BadInput, DomainError, InvalidInput, NotFound
from api.shared.language import Language
from api.shared.limits import check_caps

KEY = re.compile(r"^[a-z][a-z0-9_]{0,63}$")
EDITORS = (*CODERS, *MANAGERS)


def _retired(field: str) -> BadInput:
    return BadInput("This theme is retired.", field=field, cy="Mae'r thema hon wedi'i hymddeol.")


# Keywords a theme suggests itself by: each is looked for in every answer a coder reads.
KEYWORDS_MAX = 50


async def codebook(
    session: AsyncSession, principal: Principal, campaign_id: uuid.UUID, language: Language
) -> Sequence[Theme]:
    """Themes, then sub-themes, each by its label in `language`."""
    await campaigns.campaign(session, principal, campaign_id)
    return await repository.themes_of(session, campaign_id, language)


async def add_theme(
    session: AsyncSession, principal: Principal, campaign_id: uuid.UUID, new: ThemeIn
) -> Theme:
    user_id = principal.require(EDITORS)
    check_caps((new.keywords, KEYWORDS_MAX, "keywords"))
    await campaigns.campaign(session, principal, campaign_id)
    errors: list[DomainError] = []
    if not KEY.match(new.key):
        errors.append(
            BadInput(
                "A theme key is lower-case letters, digits and _, starting with a letter.",
                field="key",
                cy="Mae allwedd thema yn llythrennau bach, digidau a _, gan ddechrau â llythyren.",
            )
        )
    elif await repository.key_taken(session, campaign_id, new.key):
        errors.append(
            BadInput(
                f"This codebook already has a theme {new.key!r}.",
                field="key",
                cy=f"Mae thema {new.key!r} yn y llyfr codau hwn eisoes.",
            )
        )
    if not new.label_en.strip():
        errors.append(
            BadInput(
                "Give the theme's English label.",
                field="labelEn",
                cy="Rhowch label Saesneg y thema.",
            )
        )
    if new.parent_id is not None:
        parent = (await repository.themes_by_id(session, [new.parent_id])).get(new.parent_id)
        if parent is None or parent.campaign_id != campaign_id:
            errors.append(
                BadInput(
                    "There is no such theme in this codebook.",
                    field="parentId",
                    cy="Nid oes thema o'r fath yn y llyfr codau hwn.",
                )
            )
        elif parent.parent_id is not None:
            errors.append(
                BadInput(
                    "Sub-themes go under a theme, not under a sub-theme.",
                    field="parentId",
                    cy="Mae is-themâu yn mynd o dan thema, nid o dan is-thema.",
                )
            )
        elif parent.retired_in is not None:
            errors.append(_retired("parentId"))
    if errors:
        raise InvalidInput(errors)
    version = await repository.bump_codebook(session, campaign_id)
    theme = Theme(
        id=uuid.uuid4(),
        campaign_id=campaign_id,
        parent_id=new.parent_id,
        key=new.key,
        label_en=new.label_en.strip(),
        label_cy=(new.label_cy or "").strip() or None,
        description_en=new.description_en,
        description_cy=new.description_cy,
        keywords=sorted({k.strip().lower() for k in new.keywords if k.strip()}),
        added_in=version,
    )
    repository.add_theme(session, theme)
    audit.record(
        session,
        actor_id=user_id,
        action="theme.add",
        entity_type="theme",
        entity_id=theme.id,
        after={
            "key": theme.key,
            "label_en": theme.label_en,
            "parent_id": theme.parent_id,
            "version": version,
        },
    )
    await session.commit()
    return theme


async def _live_theme(session: AsyncSession, theme_id: uuid.UUID, field: str) -> Theme:
    theme = (await repository.themes_by_id(session, [theme_id])).get(theme_id)
    if theme is None:
        raise NotFound(
            "There is no theme with this id.", field=field, cy="Nid oes thema â'r id hwn."
        )
    if theme.retired_in is not None:
        raise InvalidInput([_retired(field)])
    return theme


async def merge_themes(
    session: AsyncSession, principal: Principal, source_id: uuid.UUID, survivor_id: uuid.UUID
) -> Theme:
    """Fold `source` into `survivor`; returns the survivor."""
    user_id = principal.require(EDITORS)
    source = await _live_theme(session, source_id, "sourceId")
    survivor = await _live_theme(session, survivor_id, "survivorId")
    await campaigns.campaign(session, principal, source.campaign_id)
    if source.id == survivor.id or source.campaign_id != survivor.campaign_id:
        raise InvalidInput(
            [
                BadInput(
                    "Merge two different themes of one codebook.",
                    field="survivorId",
                    cy="Cyfunwch ddwy thema wahanol o'r un llyfr codau.",
                )
            ]
        )
    if (source.parent_id is None) != (survivor.parent_id is None):
        raise InvalidInput(
            [
                BadInput(
                    "Merge a theme into a theme, or a sub-theme into a sub-theme.",
                    field="survivorId",
                    cy="Cyfunwch thema â thema, neu is-thema ag is-thema.",
                )
            ]
        )
    version = await repository.bump_codebook(session, source.campaign_id)
    await repository.merge_theme(session, source, survivor, version)
    audit.record(
        session,
        actor_id=user_id,
        action="theme.merge",
        entity_type="theme",
        entity_id=source.id,
        after={"merged_into_id": survivor.id, "version": version},
    )
    await session.commit()
    return survivor


async def retire_theme(session: AsyncSession, principal: Principal, theme_id: uuid.UUID) -> Theme:
    user_id = principal.require(EDITORS)
    theme = await _live_theme(session, theme_id, "id")
    await campaigns.campaign(session, principal, theme.campaign_id)
    version = await repository.bump_codebook(session, theme.campaign_id)
    await repository.retire_theme(session, theme.id, version)
    audit.record(
        session,
        actor_id=user_id,
        action="theme.retire",
        entity_type="theme",
        entity_id=theme.id,
        after={"retired_in": version},
    )
    await session.commit()
    await session.refresh(theme)
    return theme
