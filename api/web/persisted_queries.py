"""Automatic persisted queries (the Apollo protocol) for GraphQL over POST and GET, so a
phone on a weak signal sends a 64-character hash instead of the document, and a repeated
GET can be answered with 304 Not Modified (api.web.etags).

A client sends `extensions.persistedQuery.sha256Hash`; if the server does not know the
hash it answers PERSISTED_QUERY_NOT_FOUND and the client sends the query once with its
hash. The operations in graphql/operations/ are known from the start; with
`registered_only` nothing else is accepted (for production, where the app is known).
"""

from __future__ import annotations

import hashlib
from collections import OrderedDict
from pathlib import Path
from typing import Any, Protocol
from urllib.parse import parse_qsl, urlencode

import orjson
from starlette.types import ASGIApp, Receive, Scope, Send

from api.web.asgi import header, read_body, replaying, send_json

MAX_STORED = 5_000


def sha256(text: str) -> str:
    return hashlib.sha256(text.encode()).hexdigest()


class LearntQueries(Protocol):
    """Documents learnt at run time, by hash: in this process, or shared through Redis."""

    async def get(self, digest: str) -> str | None: ...

    async def put(self, digest: str, document: str) -> None: ...


class InProcessQueries:
    """The most recently learnt documents, kept in this process."""

    def __init__(self, max_stored: int = MAX_STORED) -> None:
        self.max_stored = max_stored
        self.documents: OrderedDict[str, str] = OrderedDict()

    async def get(self, digest: str) -> str | None:
        return self.documents.get(digest)

    async def put(self, digest: str, document: str) -> None:
        self.documents[digest] = document
        self.documents.move_to_end(digest)
        while len(self.documents) > self.max_stored:
            self.documents.popitem(last=False)


class QueryStore:
    """Hash -> document, for registered operations and those learnt at run time."""

    def __init__(self, registered: dict[str, str], learnt: LearntQueries) -> None:
        self.registered, self.learnt = registered, learnt

    @classmethod
    def from_directory(cls, directory: Path, learnt: LearntQueries) -> QueryStore:
        documents = [p.read_text() for p in sorted(directory.glob("*.graphql"))]
        return cls({sha256(d): d for d in documents}, learnt)

    async def get(self, digest: str) -> str | None:
        return self.registered.get(digest) or await self.learnt.get(digest)

    async def learn(self, digest: str, document: str) -> None:
        if digest not in self.registered:
            await self.learnt.put(digest, document)


def _error(code: str, message: str) -> dict[str, Any]:
    return {"data": None, "errors": [{"message": message, "extensions": {"code": code}}]}


class PersistedQueries:
    def __init__(self, app: ASGIApp, *, store: QueryStore, registered_only: bool) -> None:
        self.app, self.store, self.registered_only = app, store, registered_only

    async def _resolve(self, payload: dict[str, Any]) -> dict[str, Any] | None:
        """The payload with its query filled in, or an error response body."""
        extensions = payload.get("extensions")
        if isinstance(extensions, str):  # GET sends it as JSON text
            try:
                extensions = orjson.loads(extensions)
            except orjson.JSONDecodeError:
                return _error("BAD_USER_INPUT", "extensions is not valid JSON.")
        persisted = (
            (extensions or {}).get("persistedQuery") if isinstance(extensions, dict) else None
        )
        query = payload.get("query")
        if not isinstance(persisted, dict):
            if self.registered_only and (
                not isinstance(query, str) or self.store.registered.get(sha256(query)) is None
            ):
                return _error(
                    "PERSISTED_QUERY_NOT_SUPPORTED",
                    "Only the app's registered operations are accepted here.",
                )
            return None
        digest = persisted.get("sha256Hash")
        if not isinstance(digest, str):
            return _error("BAD_USER_INPUT", "persistedQuery needs a sha256Hash.")
        if isinstance(query, str) and query:
            if sha256(query) != digest:
                return _error("BAD_USER_INPUT", "The sha256Hash does not match the query.")
            if self.registered_only and digest not in self.store.registered:
                return _error(
                    "PERSISTED_QUERY_NOT_SUPPORTED",
                    "Only the app's registered operations are accepted here.",
                )
            await self.store.learn(digest, query)
            return None
        known = await self.store.get(digest)
        if known is None or (self.registered_only and digest not in self.store.registered):
            return _error("PERSISTED_QUERY_NOT_FOUND", "PersistedQueryNotFound")
        payload["query"] = known
        return None

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or not scope["path"].startswith("/graphql"):
            await self.app(scope, receive, send)
            return
        if scope["method"] == "GET":
            params = dict(parse_qsl(scope.get("query_string", b"").decode()))
            if "query" not in params and "extensions" not in params:
                await self.app(scope, receive, send)  # GraphiQL
                return
            problem = await self._resolve(params)
            if problem is not None:
                await send_json(send, 200, problem)
                return
            scope = {**scope, "query_string": urlencode(params).encode()}
            await self.app(scope, receive, send)
            return
        if not (header(scope, b"content-type") or "").startswith("application/json"):
            await self.app(scope, receive, send)
            return
        body = await read_body(receive)
        if body is None:
            return
        if not self.registered_only and b"persistedQuery" not in body:
            # Nothing to look up: the request goes on untouched, parsed once, by the router.
            await self.app(scope, replaying(body, receive), send)
            return
        try:
            payload = orjson.loads(body)
        except orjson.JSONDecodeError:
            payload = None
        if not isinstance(payload, dict):  # the router answers 400 for what it cannot read
            await self.app(scope, replaying(body, receive), send)
            return
        sent_query = payload.get("query")
        problem = await self._resolve(payload)
        if problem is not None:
            await send_json(send, 200, problem)
            return
        if payload.get("query") is not sent_query:  # filled in from the store
            body = orjson.dumps(payload)
            scope = {
                **scope,
                "headers": [
                    (k, str(len(body)).encode() if k == b"content-length" else v)
                    for k, v in scope["headers"]
                ],
            }
        await self.app(scope, replaying(body, receive), send)
