"""Small helpers for the pure-ASGI middleware here: reading a request body once and
handing it on, and answering with JSON."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

import orjson
from starlette.types import Message, Receive, Scope, Send


class BodyTooLarge(Exception):
    pass


async def read_body(receive: Receive, limit: int | None = None) -> bytes | None:
    """The whole body, or None if the client went away. BodyTooLarge past `limit` bytes."""
    chunks: list[bytes] = []
    size = 0
    while True:
        message = await receive()
        if message["type"] == "http.disconnect":
            return None
        chunk = message.get("body", b"")
        size += len(chunk)
        if limit is not None and size > limit:
            raise BodyTooLarge
        chunks.append(chunk)
        if not message.get("more_body", False):
            return b"".join(chunks)


def replaying(body: bytes, receive: Receive) -> Callable[[], Awaitable[Message]]:
    """A `receive` that gives the already-read body once, then waits on the real one."""
    sent = False

    async def replay() -> Message:
        nonlocal sent
        if not sent:
            sent = True
            return {"type": "http.request", "body": body, "more_body": False}
        return await receive()

    return replay


def header(scope: Scope, name: bytes) -> str | None:
    for key, value in scope.get("headers", []):
        if key == name:
            return value.decode("latin-1")
    return None


async def send_json(
    send: Send, status: int, payload: Any, headers: list[tuple[bytes, bytes]] | None = None
) -> None:
    body = orjson.dumps(payload)
    await send(
        {
            "type": "http.response.start",
            "status": status,
            "headers": [
                (b"content-type", b"application/json"),
                (b"content-length", str(len(body)).encode()),
                *(headers or []),
            ],
        }
    )
    await send({"type": "http.response.body", "body": body})


def error_payload(
    scope: Scope, code: str, message: str, field: str | None = None
) -> dict[str, Any]:
    """The error in the shape the caller expects: GraphQL errors on /graphql, else REST."""
    named = {"field": field} if field else {}
    if scope.get("path", "").startswith("/graphql"):
        extensions = {"code": code, **named}
        return {"data": None, "errors": [{"message": message, "extensions": extensions}]}
    return {"error": {"code": code, "message": message, **named}}
