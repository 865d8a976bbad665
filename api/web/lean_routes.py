"""GET routes answered ahead of FastAPI's router, for the hot reads whose own work takes a
few milliseconds (a map tile at z15 takes 2-5 ms to build): FastAPI's routing, dependency
resolution and the middleware it adds around its router cost such a request about as
much again.

A lean route sits inside the app's own middleware, so request ids, rate and size limits,
compression and ETags apply to it as to any route. It answers only requests whose path
matches its pattern in full; anything else (another method, a malformed path) goes on
to FastAPI's router, where the same route is also declared: that one is documented in
the OpenAPI schema, and answers what the pattern leaves out (422 for a parameter that
is not a number, as before). Errors are answered by the app's own REST handlers; any
other exception goes up to the server-error layer, a 500 as from a FastAPI route.
"""

from __future__ import annotations

import re
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass

from starlette.requests import Request
from starlette.responses import Response
from starlette.types import ASGIApp, Receive, Scope, Send

from api.rest.errors import handler_for


@dataclass(frozen=True)
class LeanRoute:
    """GET requests whose whole path matches `pattern`, answered by `endpoint` (given the
    request and the pattern's groups)."""

    pattern: re.Pattern[str]
    endpoint: Callable[[Request, tuple[str, ...]], Awaitable[Response]]


class LeanRoutes:
    def __init__(self, app: ASGIApp, *, routes: Sequence[LeanRoute]) -> None:
        self.app, self.routes = app, tuple(routes)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http" and scope["method"] == "GET":
            path = scope["path"]
            for route in self.routes:
                found = route.pattern.fullmatch(path)
                if found is not None:
                    await self._answer(route, found.groups(), scope, receive, send)
                    return
        await self.app(scope, receive, send)

    @staticmethod
    async def _answer(
        route: LeanRoute, groups: tuple[str, ...], scope: Scope, receive: Receive, send: Send
    ) -> None:
        request = Request(scope, receive)
        try:
            response = await route.endpoint(request, groups)
        except Exception as error:
            handler = handler_for(error)
            if handler is None:
                raise
            response = await handler(request, error)
        await response(scope, receive, send)
