"""Where the state several requests share lives: rate-limit counters and learnt persisted
queries. In this process by default; in Redis when CYMUNED_REDIS_URL is set, so that every
API process behind a load balancer counts one budget and knows every learnt hash."""

from __future__ import annotations

from api.web.limits import Counter, RateCounter
from api.web.persisted_queries import InProcessQueries, LearntQueries
from api.web.redis_store import RedisCounter, RedisQueries, RedisStore


class SharedState:
    def __init__(self, redis_url: str | None) -> None:
        self.redis = RedisStore(redis_url) if redis_url else None

    def counter(self, name: str) -> RateCounter:
        """Counters for one kind of budget (`name` keeps kinds apart in Redis)."""
        return RedisCounter(self.redis, name) if self.redis else Counter()

    def learnt_queries(self) -> LearntQueries:
        return RedisQueries(self.redis) if self.redis else InProcessQueries()

    async def close(self) -> None:
        if self.redis is not None:
            await self.redis.close()
