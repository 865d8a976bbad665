"""Streamed responses that fail cleanly: the first row is read before the response starts."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import TypeVar

T = TypeVar("T")


async def primed(rows: AsyncIterator[T]) -> AsyncIterator[T]:
    """`rows`, with its first item already fetched. A database failure there (an outage)
    is then raised in the route, where it becomes a 503, instead of inside a response the
    compression middleware has begun but not yet sent, which can only end as a 500."""
    first = await anext(rows, None)

    async def rest() -> AsyncIterator[T]:
        if first is None:
            return
        yield first
        async for row in rows:
            yield row

    return rest()
