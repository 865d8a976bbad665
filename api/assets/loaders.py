"""Per-request DataLoaders: revisions and photos of every asset on a page, one statement
each whatever the page size."""

from __future__ import annotations

import uuid
from collections.abc import Callable, Sequence
from typing import Any

from strawberry.dataloader import DataLoader

from api.assets import service
from api.assets.models import AssetPhoto, AssetRevision
from api.context import RequestContext


def _grouped(
    fetch: Callable[[Any, Sequence[uuid.UUID]], Any],
) -> Callable[[RequestContext], DataLoader[uuid.UUID, list[Any]]]:
    def factory(ctx: RequestContext) -> DataLoader[uuid.UUID, list[Any]]:
        async def load(ids: list[uuid.UUID]) -> list[list[Any]]:
            found = await fetch(ctx.session, ids)
            return [found.get(i, []) for i in ids]

        return DataLoader(load_fn=load)

    return factory


def revisions(ctx: RequestContext) -> DataLoader[uuid.UUID, list[AssetRevision]]:
    return ctx.loader("assets.revisions", _grouped(service.revisions_of))


def photos(ctx: RequestContext) -> DataLoader[uuid.UUID, list[AssetPhoto]]:
    return ctx.loader("assets.photos", _grouped(service.photos_of))
