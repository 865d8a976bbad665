"""ETags for GET answers sent whole: GraphQL queries over GET, map tiles and exports that are
not streamed. Tagged from the uncompressed body, just inside the compression layer, and
answered with 304 Not Modified when the client's If-None-Match names the same body.

The tags are weak (`W/"..."`): the compression layer may send the same answer as identity,
gzip or brotli bytes, and a strong tag promises byte-identical bodies (RFC 9110 §8.8.1).
If-None-Match is compared weakly (§13.1.2), so `"x"` and `W/"x"` both match `W/"x"`: a
client, or a cache in between, that stripped or kept the `W/` still gets its 304.

A streamed answer (no content-length: a large export) goes through untagged: its tag would
need the whole body before the first byte is sent."""

from __future__ import annotations

import xxhash
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from api.web.asgi import header

TAGGED_PATHS = ("/graphql", "/tiles/", "/exports/")
WEAK = "W/"


def weak_tag(body: bytes) -> str:
    # A fast non-cryptographic hash: a low-zoom tile is about 400 KB, which blake2b took
    # 0.5 ms to hash, xxh3 0.01 ms; the tag only has to change when the body does.
    return f'{WEAK}"{xxhash.xxh3_128_hexdigest(body)}"'


def matches(if_none_match: str | None, tag: str) -> bool:
    """Whether an If-None-Match header names `tag`, compared weakly."""
    if if_none_match is None:
        return False
    if if_none_match.strip() == "*":
        return True
    opaque = tag.removeprefix(WEAK)
    return any(t.strip().removeprefix(WEAK) == opaque for t in if_none_match.split(","))


class ETags:
    """Holds back a GET's successful whole-body answer under TAGGED_PATHS until its body is
    in, tags it, and answers a matching If-None-Match with 304 and no body."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if (
            scope["type"] != "http"
            or scope["method"] != "GET"
            or not scope["path"].startswith(TAGGED_PATHS)
        ):
            await self.app(scope, receive, send)
            return
        start: Message | None = None
        chunks: list[bytes] = []

        async def tagging(message: Message) -> None:
            nonlocal start
            if message["type"] == "http.response.start":
                headers = message.get("headers", [])
                if message["status"] == 200 and any(k == b"content-length" for k, _ in headers):
                    start = message
                    return
            elif start is not None and message["type"] == "http.response.body":
                chunks.append(message.get("body", b""))
                if not message.get("more_body", False):
                    await finish(start, b"".join(chunks))
                return
            await send(message)

        async def finish(start: Message, body: bytes) -> None:
            tag = weak_tag(body)
            headers = [*start.get("headers", []), (b"etag", tag.encode())]
            if matches(header(scope, b"if-none-match"), tag):
                kept = [(k, v) for k, v in headers if k not in (b"content-length", b"content-type")]
                await send({"type": "http.response.start", "status": 304, "headers": kept})
                await send({"type": "http.response.body", "body": b""})
                return
            await send({**start, "headers": headers})
            await send({"type": "http.response.body", "body": body})

        await self.app(scope, receive, tagging)
