"""Per-request DataLoaders of the grants domain: one statement per kind, whatever the list."""

from __future__ import annotations

import uuid
from collections.abc import Awaitable, Callable, Sequence
from typing import Any

from strawberry.dataloader import DataLoader

from api.context import RequestContext
from api.grants import applications, attachments, payments, reports


def _grouped(
    fetch: Callable[[Any, Sequence[uuid.UUID]], Awaitable[dict[uuid.UUID, list[Any]]]],
) -> Callable[[RequestContext], DataLoader[uuid.UUID, list[Any]]]:
    def factory(ctx: RequestContext) -> DataLoader[uuid.UUID, list[Any]]:
        async def load(ids: list[uuid.UUID]) -> list[list[Any]]:
            found = await fetch(ctx.session, ids)
            return [found.get(i, []) for i in ids]

        return DataLoader(load_fn=load)

    return factory


def transitions(ctx: RequestContext) -> DataLoader[uuid.UUID, list[Any]]:
    return ctx.loader("grants.transitions", _grouped(applications.transitions))


def tranches(ctx: RequestContext) -> DataLoader[uuid.UUID, list[Any]]:
    return ctx.loader("grants.tranches", _grouped(payments.tranches))


def reports_of(ctx: RequestContext) -> DataLoader[uuid.UUID, list[Any]]:
    return ctx.loader("grants.reports", _grouped(reports.reports_of))


def report_photos(ctx: RequestContext) -> DataLoader[uuid.UUID, list[Any]]:
    return ctx.loader("grants.report_photos", _grouped(attachments.report_photos))


def attachments_of(ctx: RequestContext) -> DataLoader[uuid.UUID, list[Any]]:
    return ctx.loader("grants.attachments", _grouped(attachments.attachments))
