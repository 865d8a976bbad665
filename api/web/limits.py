"""Limits on what one client may send: body size (JSON and multipart separately) and
requests per minute per address and per signed-in user.

Rate limits count in this process by default, where several API processes behind a load
balancer each count their own share; with CYMUNED_REDIS_URL they count together in Redis
(api/web/shared_state.py chooses).
"""

from __future__ import annotations

import math
import time
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass
from typing import Protocol

from starlette.responses import Response
from starlette.types import ASGIApp, Receive, Scope, Send

from api.auth.tokens import bearer_token, read_access_token
from api.errors import RateLimited, Unauthenticated
from api.web.asgi import BodyTooLarge, error_payload, header, read_body, replaying, send_json

WINDOW_S = 60
UNLIMITED_PATHS = ("/healthz", "/readyz")


class BodySizeLimit:
    def __init__(self, app: ASGIApp, *, json_max: int, multipart_max: int) -> None:
        self.app, self.json_max, self.multipart_max = app, json_max, multipart_max

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["method"] in ("GET", "HEAD", "OPTIONS"):
            await self.app(scope, receive, send)
            return
        multipart = (header(scope, b"content-type") or "").startswith("multipart/")
        limit = self.multipart_max if multipart else self.json_max
        declared = header(scope, b"content-length")
        try:
            if declared is not None and declared.isdigit() and int(declared) > limit:
                raise BodyTooLarge
            body = await read_body(receive, limit)
        except BodyTooLarge:
            kind = "an upload" if multipart else "a request"
            await send_json(
                send,
                413,
                error_payload(
                    scope, "BAD_USER_INPUT", f"The body of {kind} may be at most {limit:,} bytes."
                ),
            )
            return
        if body is None:
            return
        await self.app(scope, replaying(body, receive), send)


class RateCounter(Protocol):
    async def hit(self, key: str) -> tuple[int, float]:
        """Count one request; (requests in this window, seconds until it ends)."""
        ...


class Counter:
    """Fixed one-minute windows per key, for a bounded number of keys, in this process."""

    def __init__(self, clock: Callable[[], float] = time.monotonic, max_keys: int = 100_000):
        self.clock, self.max_keys = clock, max_keys
        self.windows: OrderedDict[str, tuple[float, int]] = OrderedDict()

    async def hit(self, key: str) -> tuple[int, float]:
        now = self.clock()
        start, count = self.windows.get(key, (now, 0))
        if now - start >= WINDOW_S:
            start, count = now, 0
        self.windows[key] = (start, count + 1)
        self.windows.move_to_end(key)
        while len(self.windows) > self.max_keys:
            self.windows.popitem(last=False)
        return count + 1, WINDOW_S - (now - start)


async def retry_after(counter: RateCounter, key: str, limit: int) -> int | None:
    """Count one request against `limit` a minute: None while within it, else the whole
    seconds until the window ends (at least 1)."""
    count, resets_in = await counter.hit(key)
    return max(1, math.ceil(resets_in)) if count > limit else None


def too_many(retry: int) -> str:
    return f"Too many requests: try again in {retry} seconds."


class Throttle:
    """A per-address budget for one operation, far below the general one: for operations
    anyone may call that check a secret (withdrawing by reference code), so the secret
    cannot be found by trying many."""

    def __init__(self, per_minute: int, counter: RateCounter | None = None) -> None:
        self.per_minute, self.counter = per_minute, counter or Counter()

    async def check(self, address: str, response: Response) -> None:
        """Count one try; over the budget, set Retry-After and raise RateLimited."""
        retry = await retry_after(self.counter, address, self.per_minute)
        if retry is not None:
            response.headers["Retry-After"] = str(retry)
            raise RateLimited(
                too_many(retry), cy=f"Gormod o geisiadau: rhowch gynnig arall ymhen {retry} eiliad."
            )


@dataclass(frozen=True)
class RateLimits:
    per_address: int
    per_user: int
    jwt_secret: str


class RateLimit:
    def __init__(
        self, app: ASGIApp, *, limits: RateLimits, counter: RateCounter | None = None
    ) -> None:
        self.app, self.limits, self.counter = app, limits, counter or Counter()

    def _user(self, scope: Scope) -> str | None:
        token = bearer_token(header(scope, b"authorization"))
        if token is None:
            return None
        try:
            # Only to find whose budget to charge; the request itself checks the session too.
            return str(read_access_token(self.limits.jwt_secret, token).user_id)
        except Unauthenticated:
            return None

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["path"] in UNLIMITED_PATHS:
            await self.app(scope, receive, send)
            return
        address = (scope.get("client") or ("unknown", 0))[0]
        budgets = [(f"address:{address}", self.limits.per_address)]
        user = self._user(scope)
        if user is not None:
            budgets.append((f"user:{user}", self.limits.per_user))
        for key, limit in budgets:
            retry = await retry_after(self.counter, key, limit)
            if retry is not None:
                await send_json(
                    send,
                    429,
                    error_payload(scope, "RATE_LIMITED", too_many(retry)),
                    [(b"retry-after", str(retry).encode())],
                )
                return
        await self.app(scope, receive, send)
