"""Per-request DataLoaders of the grants domain: one statement per kind, whatever the list."""

from __future__ import annotations

import uuid
from collections import defaultdict
from collections.abc import Awaitable, Callable, Sequence
from typing import Any

from strawberry.dataloader import DataLoader

from api.context import RequestContext
from api.grants import repository


def _grouped(
    fetch: Callable[[Any, Sequence[uuid.UUID]], Awaitable[Sequence[Any]]], key: str
) -> Callable[[RequestContext], DataLoader[uuid.UUID, list[Any]]]:
    """A loader of the rows whose `key` is each id: one statement for the whole batch.
    (Plain reads of rows the caller may already see; the rules ran when the parent loaded.)"""

    def factory(ctx: RequestContext) -> DataLoader[uuid.UUID, list[Any]]:
        async def load(ids: list[uuid.UUID]) -> list[list[Any]]:
            found: dict[uuid.UUID, list[Any]] = defaultdict(list)
            for row in await fetch(ctx.session, ids):
                found[getattr(row, key)].append(row)
            return [found[i] for i in ids]

        return DataLoader(load_fn=load)

    return factory


def transitions(ctx: RequestContext) -> DataLoader[uuid.UUID, list[Any]]:
    return ctx.loader("grants.transitions", _grouped(repository.transitions_of, "application_id"))


def tranches(ctx: RequestContext) -> DataLoader[uuid.UUID, list[Any]]:
    return ctx.loader("grants.tranches", _grouped(repository.tranches_of, "application_id"))


def reports_of(ctx: RequestContext) -> DataLoader[uuid.UUID, list[Any]]:
    return ctx.loader("grants.reports", _grouped(repository.reports_of, "application_id"))


def report_photos(ctx: RequestContext) -> DataLoader[uuid.UUID, list[Any]]:
    return ctx.loader("grants.report_photos", _grouped(repository.photos_of_reports, "report_id"))


def attachments_of(ctx: RequestContext) -> DataLoader[uuid.UUID, list[Any]]:
    return ctx.loader("grants.attachments", _grouped(repository.attachments_of, "application_id"))
