"""How REST routes answer the errors they expect: a domain error with its status and the
same codes as GraphQL, in the caller's language; an unreachable database as a retryable
503. Registered as the app's exception handlers, and used as they are by the routes that
answer ahead of FastAPI's router (api.web.lean_routes)."""

from __future__ import annotations

from collections.abc import Awaitable, Callable

from fastapi import Request
from fastapi.responses import JSONResponse

from api.db import UNAVAILABLE_ERRORS, DatabaseUnavailable
from api.errors import DomainError
from api.shared.language import preferred_language

Handler = Callable[[Request, Exception], Awaitable[JSONResponse]]


async def domain_error(request: Request, exc: Exception) -> JSONResponse:
    """REST routes answer expected failures with their status and the same codes as GraphQL."""
    assert isinstance(exc, DomainError)
    language = preferred_language(request.headers.get("accept-language"))
    error = {"code": exc.code, "message": exc.message_in(language)}
    if exc.field:
        error["field"] = exc.field
    return JSONResponse({"error": error}, status_code=exc.http_status)


async def database_unavailable(request: Request, exc: Exception) -> JSONResponse:
    """The database is unreachable: a retryable 503, never a 500."""
    language = preferred_language(request.headers.get("accept-language"))
    error = {"code": DatabaseUnavailable.code, "message": DatabaseUnavailable.message_in(language)}
    return JSONResponse(
        {"error": error},
        status_code=DatabaseUnavailable.http_status,
        headers={"Retry-After": str(DatabaseUnavailable.retry_after_s)},
    )


EXCEPTION_HANDLERS: tuple[tuple[type[Exception], Handler], ...] = (
    (DomainError, domain_error),
    *((unavailable, database_unavailable) for unavailable in UNAVAILABLE_ERRORS),
)


def handler_for(error: Exception) -> Handler | None:
    """The handler the app registers for `error`'s kind, if it has one."""
    return next((h for kind, h in EXCEPTION_HANDLERS if isinstance(error, kind)), None)
