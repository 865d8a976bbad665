"""Text may not contain NUL: PostgreSQL cannot store or compare it in text and fails the
statement, which would reach the caller as INTERNAL or a 500. Checked once per request
before anything runs: in a request's path and query string (every route), and in GraphQL
variables and the document's own string literals; reported as BAD_USER_INPUT naming where
it was found."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any
from urllib.parse import parse_qsl

import orjson
from graphql import (
    ArgumentNode,
    GraphQLError,
    ListValueNode,
    ObjectValueNode,
    StringValueNode,
    ValueNode,
    visit,
)
from graphql import ExecutionResult as GraphQLExecutionResult
from graphql.language import Visitor
from starlette.types import ASGIApp, Receive, Scope, Send
from strawberry.extensions import SchemaExtension

from api.errors import BadInput
from api.web.asgi import error_payload, send_json

NUL = "\x00"
MESSAGE = "Text may not contain the NUL character (\\u0000)."


def _in_value(value: Any, where: str) -> Iterator[str]:
    if isinstance(value, str):
        if NUL in value:
            yield where
    elif isinstance(value, dict):
        for key, item in value.items():
            yield from _in_value(key, where)
            yield from _in_value(item, f"{where}.{key}")
    elif isinstance(value, list | tuple):
        for index, item in enumerate(value):
            yield from _in_value(item, f"{where}[{index}]")


def _in_literal(node: ValueNode, where: str) -> Iterator[str]:
    if isinstance(node, StringValueNode):
        if NUL in node.value:
            yield where
    elif isinstance(node, ObjectValueNode):
        for field in node.fields:
            yield from _in_literal(field.value, f"{where}.{field.name.value}")
    elif isinstance(node, ListValueNode):
        for index, item in enumerate(node.values):
            yield from _in_literal(item, f"{where}[{index}]")


class _Arguments(Visitor):
    def __init__(self) -> None:
        super().__init__()
        self.found: list[str] = []

    def enter_argument(self, node: ArgumentNode, *_: Any) -> None:
        self.found.extend(_in_literal(node.value, node.name.value))


def _may_hold_nul(variables: dict[str, Any]) -> bool:
    """False when no text in the variables can hold NUL: orjson writes it as \\u0000, and
    writing a batch of 500 conversations takes a tenth of the time of walking it."""
    try:
        return b"\\u0000" in orjson.dumps(variables)
    except orjson.JSONEncodeError:
        return True  # uploads, integers past 64 bits: the walk looks at them


def nul_text_at(document: Any, variables: dict[str, Any] | None) -> str | None:
    """Where the first NUL character is ("$input[0].nameEn", "code"), or None."""
    if variables and _may_hold_nul(variables):
        found = next(_in_value(variables, "$"), None)
        if found is not None:
            return found.replace("$.", "$", 1)
    return _in_arguments(document)


# document id -> (the document, where its literals hold NUL): parsed documents are cached
# and sent again and again, their literals never change, and walking a page query's costs
# a few hundred microseconds. As many as the parser cache keeps.
_LITERALS: dict[int, tuple[Any, str | None]] = {}
_LITERALS_MAX = 512


def _in_arguments(document: Any) -> str | None:
    known = _LITERALS.get(id(document))
    if known is not None and known[0] is document:
        return known[1]
    arguments = _Arguments()
    visit(document, arguments)
    found = next(iter(arguments.found), None)
    if len(_LITERALS) >= _LITERALS_MAX:
        _LITERALS.clear()
    _LITERALS[id(document)] = (document, found)
    return found


class RefuseNulText(SchemaExtension):
    def on_execute(self) -> Iterator[None]:
        context = self.execution_context
        where = None
        if context.graphql_document is not None:
            where = nul_text_at(context.graphql_document, context.variables)
        if where is not None:
            problem = BadInput(MESSAGE, field=where)
            context.result = GraphQLExecutionResult(
                data=None, errors=[GraphQLError(problem.message, original_error=problem)]
            )
        yield


def _in_url(scope: Scope) -> str | None:
    if NUL in scope.get("path", ""):
        # The route's own parameter name is not known yet; "path" is what was sent.
        return "path"
    query = scope.get("query_string", b"").decode("latin-1")
    pairs = parse_qsl(query, keep_blank_values=True, encoding="utf-8", errors="replace")
    return next((name or "query" for name, value in pairs if NUL in name + value), None)


class RefuseNulInUrl:
    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        where = _in_url(scope) if scope["type"] == "http" else None
        if where is None:
            await self.app(scope, receive, send)
            return
        await send_json(send, 400, error_payload(scope, "BAD_USER_INPUT", MESSAGE, field=where))
