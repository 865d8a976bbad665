"""Text arguments may not contain NUL: PostgreSQL cannot store it in text columns and fails
the statement, which would reach the caller as INTERNAL. Checked once per request, before
any resolver runs, in variables and in the document's own string literals, and reported as
BAD_USER_INPUT naming where it was found."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

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
from strawberry.extensions import SchemaExtension

from api.errors import BadInput

NUL = "\x00"


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


def nul_text_at(document: Any, variables: dict[str, Any] | None) -> str | None:
    """Where the first NUL character is ("$input[0].nameEn", "code"), or None."""
    found = next(_in_value(variables or {}, "$"), None)
    if found is not None:
        return found.replace("$.", "$", 1)
    arguments = _Arguments()
    visit(document, arguments)
    return next(iter(arguments.found), None)


class RefuseNulText(SchemaExtension):
    def on_execute(self) -> Iterator[None]:
        context = self.execution_context
        where = None
        if context.graphql_document is not None:
            where = nul_text_at(context.graphql_document, context.variables)
        if where is not None:
            problem = BadInput("Text may not contain the NUL character (\\u0000).", field=where)
            context.result = GraphQLExecutionResult(
                data=None, errors=[GraphQLError(problem.message, original_error=problem)]
            )
        yield
