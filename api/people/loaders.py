"""DataLoaders of the people domain, made once per request through `context.loader`."""

from __future__ import annotations

import uuid
from collections.abc import Sequence

from strawberry.dataloader import DataLoader

from api.context import RequestContext
from api.people import service
from api.people.service import Grant

GRANTS = "people.grants"


def grants_loader(context: RequestContext) -> DataLoader[uuid.UUID, list[Grant]]:
    """Grants of many users in one statement, however many users a response shows."""
    return context.loader(GRANTS, _make_grants_loader)


def _make_grants_loader(context: RequestContext) -> DataLoader[uuid.UUID, list[Grant]]:
    async def load(user_ids: Sequence[uuid.UUID]) -> list[list[Grant]]:
        grants = await service.grants_of_users(context.session, user_ids)
        return [grants[user_id] for user_id in user_ids]

    return DataLoader(load_fn=load)
