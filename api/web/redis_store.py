"""Rate-limit counters and learnt persisted queries kept in Redis, so that several API
processes share them. Redis only makes sharing possible, never correctness: while it
cannot be reached, counting falls back to this process and a hash is simply not found
(the client then sends its query again), and the outage is logged once."""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable
from datetime import timedelta
from typing import TypeVar

from redis.asyncio import Redis
from redis.exceptions import RedisError

from api.web.limits import WINDOW_S, Counter

log = logging.getLogger("api.redis")

T = TypeVar("T")
PREFIX = "cymuned:"
# A learnt document is forgotten after a day unused by anyone; the client resends it.
QUERY_TTL = timedelta(days=1)
# Redis is near (same network); waiting longer would hold up every request.
TIMEOUT_S = 0.5


class RedisStore:
    """One connection pool for the process."""

    def __init__(self, url: str) -> None:
        self.client: Redis = Redis.from_url(
            url, socket_timeout=TIMEOUT_S, socket_connect_timeout=TIMEOUT_S
        )
        self.down = False

    async def run(self, call: Callable[[Redis], Awaitable[T]]) -> T | None:
        """`call`'s answer; None while Redis cannot be reached."""
        try:
            answer = await call(self.client)
        except (RedisError, OSError) as exc:
            if not self.down:
                log.warning("Redis unreachable, counting in this process meanwhile: %s", exc)
            self.down = True
            return None
        if self.down:
            log.warning("Redis reachable again")
            self.down = False
        return answer

    async def close(self) -> None:
        await self.client.aclose()


class RedisCounter:
    """Fixed one-minute windows per key, counted in Redis (INCR, and the key expires with
    its window): one round trip per request."""

    def __init__(self, store: RedisStore, name: str) -> None:
        self.store, self.prefix, self.local = store, f"{PREFIX}{name}:", Counter()

    async def hit(self, key: str) -> tuple[int, float]:
        async def count(client: Redis) -> tuple[int, float]:
            name = self.prefix + key
            pipe = client.pipeline(transaction=False)
            pipe.incr(name).expire(name, WINDOW_S, nx=True).pttl(name)
            hits, _, ttl_ms = await pipe.execute()
            return hits, max(ttl_ms, 0) / 1000

        answer = await self.store.run(count)
        return answer if answer is not None else await self.local.hit(key)


class RedisQueries:
    """Learnt persisted-query documents by hash, in Redis."""

    def __init__(self, store: RedisStore) -> None:
        self.store, self.prefix = store, f"{PREFIX}apq:"

    async def get(self, digest: str) -> str | None:
        async def read(client: Redis) -> str | None:
            document = await client.get(self.prefix + digest)
            return document.decode() if document is not None else None

        return await self.store.run(read)

    async def put(self, digest: str, document: str) -> None:
        async def write(client: Redis) -> None:
            await client.set(self.prefix + digest, document, ex=QUERY_TTL)

        await self.store.run(write)
