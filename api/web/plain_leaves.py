"""Plain leaf fields (a scalar or enum read straight off the object: no resolver, no
arguments) completed without graphql-core's generic path. A page of 100 assets has some
800 fields, 600 of them plain leaves; for each, graphql-core makes a path, builds a
resolve info, wraps the resolver in the (empty) middleware, looks for arguments and
completes the value by asking, one wrapper at a time, what kind of type it has.

Here such a field is read with its own resolver (Strawberry's, which reads the attribute)
and coerced by its own type (`coerce_output_value`), as graphql-core does. Anything out of
the ordinary (an exception, a null in a non-null field, an awaitable, a value that does
not coerce) goes to graphql-core's path instead, which reads it again and gives the
answer and the error it always did; so do fields with arguments or a resolver of their
own, and every field while a schema extension wraps resolvers.
"""

from __future__ import annotations

from collections.abc import Awaitable
from typing import Any, NamedTuple

from graphql import (
    GraphQLLeafType,
    GraphQLNonNull,
    GraphQLObjectType,
    GraphQLSchema,
    Undefined,
    is_leaf_type,
)
from graphql.pyutils import Path
from strawberry.schema.schema import StrawberryGraphQLCoreExecutionContext

# Values that are never awaitable: checked first, so most leaves skip the awaitable test.
_PLAIN_VALUES = frozenset({str, int, float, bool})


class _Leaf(NamedTuple):
    resolve: Any
    type: GraphQLLeafType
    non_null: bool


_ORDINARY = object()


def _plain_leaves(schema: GraphQLSchema) -> dict[str, dict[str, _Leaf]]:
    """type -> field -> how to read it, for every plain leaf field of the schema's object
    types: Strawberry marks the resolvers of fields without one of their own `_is_default`."""
    found: dict[str, dict[str, _Leaf]] = {}
    for type_ in schema.type_map.values():
        if not isinstance(type_, GraphQLObjectType) or type_.name.startswith("__"):
            continue
        for name, field in type_.fields.items():
            non_null = isinstance(field.type, GraphQLNonNull)
            inner = field.type.of_type if non_null else field.type
            if (
                not field.args
                and is_leaf_type(inner)
                and getattr(field.resolve, "_is_default", False)
            ):
                found.setdefault(type_.name, {})[name] = _Leaf(field.resolve, inner, non_null)
    return found


def execution_context(schema: GraphQLSchema) -> type[StrawberryGraphQLCoreExecutionContext]:
    """Strawberry's execution context, with the plain leaves of `schema` read directly."""
    leaves = _plain_leaves(schema)

    class PlainLeavesExecutionContext(StrawberryGraphQLCoreExecutionContext):
        def _read(self, leaf: _Leaf, source: Any) -> Any:
            """The completed value, or _ORDINARY when graphql-core's path must run."""
            try:
                result = leaf.resolve(source, None)
                if result is None:
                    return _ORDINARY if leaf.non_null else None
                if result.__class__ not in _PLAIN_VALUES and (
                    result is Undefined
                    or isinstance(result, Exception)
                    or self.is_awaitable(result)
                ):
                    return _ORDINARY
                coerced = leaf.type.coerce_output_value(result)
            except Exception:
                return _ORDINARY
            return _ORDINARY if coerced is None or coerced is Undefined else coerced

        def execute_fields(
            self,
            parent_type: GraphQLObjectType,
            source_value: Any,
            path: Path | None,
            grouped_field_set: dict[str, Any],
            position_context: Any,
        ) -> Any:
            plain = leaves.get(parent_type.name)
            middleware = self.middleware_manager
            if plain is None or (middleware is not None and middleware.middlewares):
                return super().execute_fields(
                    parent_type, source_value, path, grouped_field_set, position_context
                )
            read: dict[str, Any] = {}
            rest: dict[str, Any] = {}
            for response_name, details in grouped_field_set.items():
                node = details[0].node
                leaf = plain.get(node.name.value)
                if leaf is not None and not node.arguments:
                    value = self._read(leaf, source_value)
                    if value is not _ORDINARY:
                        read[response_name] = value
                        continue
                rest[response_name] = details
            if not rest:
                return read
            others = super().execute_fields(parent_type, source_value, path, rest, position_context)
            if not read:
                return others

            def in_order(completed: dict[str, Any]) -> dict[str, Any]:
                # The response keeps the document's order of fields.
                return {
                    name: read[name] if name in read else completed[name]
                    for name in grouped_field_set
                    if name in read or name in completed
                }

            if not self.is_awaitable(others):
                return in_order(others)

            async def awaited(others: Awaitable[dict[str, Any]]) -> dict[str, Any]:
                return in_order(await others)

            return awaited(others)

    return PlainLeavesExecutionContext
