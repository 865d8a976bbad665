"""Per-request DataLoaders: each batches every lookup of one kind into one statement."""

from __future__ import annotations

import uuid
from collections import defaultdict
from collections.abc import Callable, Sequence
from typing import Any

from strawberry.dataloader import DataLoader

from api.context import RequestContext
from api.places import service
from api.places.models import Community, CommunitySet, CommunityVersion, County, Lsoa
from api.places.repository import CommunityFigures
from api.shared.pagination import Page, PageRequest


def _by_id(
    fetch: Callable[[Any, Sequence[uuid.UUID]], Any],
) -> Callable[[RequestContext], DataLoader[uuid.UUID, Any]]:
    def factory(ctx: RequestContext) -> DataLoader[uuid.UUID, Any]:
        async def load(ids: list[uuid.UUID]) -> list[Any]:
            found = await fetch(ctx.session, ids)
            return [found.get(i) for i in ids]

        return DataLoader(load_fn=load)

    return factory


def county(ctx: RequestContext) -> DataLoader[uuid.UUID, County | None]:
    return ctx.loader("places.county", _by_id(service.counties_by_id))


def community_set(ctx: RequestContext) -> DataLoader[uuid.UUID, CommunitySet | None]:
    return ctx.loader("places.community_set", _by_id(service.community_sets_by_id))


def versions(ctx: RequestContext) -> DataLoader[uuid.UUID, list[CommunityVersion]]:
    return ctx.loader("places.versions", _by_id(service.community_versions))


def figures(ctx: RequestContext) -> DataLoader[uuid.UUID, CommunityFigures | None]:
    return ctx.loader("places.figures", _by_id(service.community_figures))


def lsoas(ctx: RequestContext) -> DataLoader[uuid.UUID, list[Lsoa]]:
    return ctx.loader("places.lsoas", _by_id(service.lsoas_of_communities))


def geojson(ctx: RequestContext) -> DataLoader[tuple[type, uuid.UUID, float | None], str | None]:
    """Keyed by (model, id, simplifyM): keys are grouped so each kind is one statement."""

    def factory(ctx: RequestContext) -> DataLoader[Any, Any]:
        async def load(keys: list[tuple[type, uuid.UUID, float | None]]) -> list[Any]:
            groups: dict[tuple[type, float | None], list[uuid.UUID]] = defaultdict(list)
            for model, ident, simplify in keys:
                groups[(model, simplify)].append(ident)
            found: dict[tuple[type, uuid.UUID, float | None], str] = {}
            for (model, simplify), ids in groups.items():
                for ident, text in (
                    await service.geojson(ctx.session, model, ids, simplify)
                ).items():
                    found[(model, ident, simplify)] = text
            return [found.get(k) for k in keys]

        return DataLoader(load_fn=load)

    return ctx.loader("places.geojson", factory)


def county_communities(
    ctx: RequestContext,
) -> DataLoader[tuple[uuid.UUID, PageRequest], Page[Community]]:
    """A page of each county's communities; counties asking for the same page share a batch."""

    def factory(ctx: RequestContext) -> DataLoader[Any, Any]:
        async def load(keys: list[tuple[uuid.UUID, PageRequest]]) -> list[Any]:
            groups: dict[PageRequest, list[uuid.UUID]] = defaultdict(list)
            for county_id, page in keys:
                groups[page].append(county_id)
            found: dict[tuple[uuid.UUID, PageRequest], Page[Community]] = {}
            for page, ids in groups.items():
                pages = await service.communities_of_counties(ctx.session, page, ctx.language, ids)
                found.update({(i, page): p for i, p in pages.items()})
            return [found[k] for k in keys]

        return DataLoader(load_fn=load)

    return ctx.loader("places.county_communities", factory)
