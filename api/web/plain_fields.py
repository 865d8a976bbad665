"""Plain fields (read straight off the object: no resolver of their own, no arguments)
completed without graphql-core's generic path. A page of 100 assets has some 800 fields,
600 of them plain leaves and most of the rest plain objects (edges, nodes, locations); a
batch of 500 recorded conversations has 500 results, each with its list of user errors.
For each, graphql-core makes a path, builds a resolve info, wraps the resolver in the
(empty) middleware, looks for arguments and completes the value by asking, one wrapper at
a time, what kind of type it has.

Here a plain leaf is read as Strawberry's resolver reads it (getattr) and coerced as its
type's `coerce_output_value` coerces it. A plain object,
or list of objects, is read the same way and its own fields are completed in turn; errors
inside it are handled at the paths and with the null propagation graphql-core gives.
Anything out of the ordinary in the value read (an exception, a null where the type says
non-null, an awaitable, a value that does not coerce, an object type that checks its
values) goes to graphql-core's path instead before anything below it has run: that path
reads the attribute again and gives the answer and the error it always did. So do fields
with arguments or a resolver of their own, and every field while a schema extension wraps
resolvers.
"""

from __future__ import annotations

import math
import operator
from collections.abc import Callable
from types import CoroutineType, GeneratorType
from typing import Any, NamedTuple

from graphql import (
    GraphQLLeafType,
    GraphQLList,
    GraphQLNonNull,
    GraphQLObjectType,
    GraphQLOutputType,
    GraphQLSchema,
    Undefined,
    is_leaf_type,
)
from graphql.pyutils import Path
from graphql.pyutils.gather_with_cancel import gather_with_cancel
from graphql.type.scalars import (
    GRAPHQL_MAX_INT,
    GRAPHQL_MIN_INT,
    serialize_boolean,
    serialize_float,
    serialize_int,
    serialize_string,
)
from strawberry.schema.schema import StrawberryGraphQLCoreExecutionContext
from strawberry.schema.schema_converter import CustomGraphQLEnumType, GraphQLCoreConverter

# Classes whose values are never awaitable (Python looks `__await__` up on the class),
# exceptions or Undefined: learnt as values are read, so most skip those tests.
_INERT: set[type] = {str, int, float, bool, dict, list, tuple}
_COMPLETED = (dict, list)

_ORDINARY = object()


class _Plain(NamedTuple):
    read: Callable[[Any], Any]  # the value off its source object
    type: GraphQLOutputType  # the field's own type, wrappers and all
    non_null: bool
    leaf: Callable[[Any], Any] | None  # set for a leaf: its completed value, or _ORDINARY
    object: GraphQLObjectType | None  # set for an object or a list of objects
    many: bool  # a list of objects
    item_non_null: bool


def _leaf(type_: GraphQLLeafType) -> Callable[[Any], Any]:
    """A leaf's completion: the value graphql-core's `coerce_output_value` gives, or
    _ORDINARY when that is an error or a null. The common values (a str for a String, a
    finite float for a Float, a member for an enum...) are recognised without the call;
    the built-in functions return them unchanged."""
    coerce = type_.coerce_output_value
    same: Callable[[Any], bool] = {
        serialize_string: lambda v: v.__class__ is str,
        serialize_boolean: lambda v: v.__class__ is bool,
        serialize_float: lambda v: v.__class__ is float and math.isfinite(v),
        serialize_int: lambda v: v.__class__ is int and GRAPHQL_MIN_INT <= v <= GRAPHQL_MAX_INT,
    }.get(coerce, lambda _: False)
    names: dict[Any, str] = {}
    if isinstance(type_, CustomGraphQLEnumType):
        # Strawberry's enum answers the first name whose value matches the member's.
        for member in type_.wrapped_cls:
            names[member] = next(
                (n for n, v in type_.values.items() if v.value == member.value), None
            )

    def complete(value: Any) -> Any:
        if same(value):
            return value
        if names and value.__class__ is type_.wrapped_cls:  # type: ignore[attr-defined]
            name = names.get(value)
            if name is not None:
                return name
        try:
            coerced = coerce(value)
        except Exception:
            return _ORDINARY
        return _ORDINARY if coerced is None or coerced is Undefined else coerced

    return complete


def _plain(field: Any) -> _Plain | None:
    """How to read a field, or None when only graphql-core's path will do. A field
    qualifies when Strawberry's resolver would only call getattr (no resolver of its own,
    the default `default_resolver`) and it is a leaf, an object or a list of objects (each
    possibly non-null)."""
    definition = field.extensions.get(GraphQLCoreConverter.DEFINITION_BACKREF)
    if definition is None or definition.default_resolver is not getattr:
        return None
    read = operator.attrgetter(definition.python_name)
    field_type = field.type
    non_null = isinstance(field_type, GraphQLNonNull)
    inner = field_type.of_type if non_null else field_type
    if is_leaf_type(inner):
        return _Plain(read, field_type, non_null, _leaf(inner), None, False, False)
    many = isinstance(inner, GraphQLList)
    item = inner.of_type if many else inner
    item_non_null = many and isinstance(item, GraphQLNonNull)
    if item_non_null:
        item = item.of_type
    if isinstance(item, GraphQLObjectType) and item.is_type_of is None:
        return _Plain(read, field_type, non_null, None, item, many, item_non_null)
    return None


def _plain_fields(schema: GraphQLSchema) -> dict[str, dict[str, _Plain]]:
    """type -> field -> how to read it, for every plain field of the schema's object
    types: Strawberry marks the resolvers of fields without one of their own `_is_default`."""
    found: dict[str, dict[str, _Plain]] = {}
    for type_ in schema.type_map.values():
        if not isinstance(type_, GraphQLObjectType) or type_.name.startswith("__"):
            continue
        for name, field in type_.fields.items():
            if field.args or not getattr(field.resolve, "_is_default", False):
                continue
            plain = _plain(field)
            if plain is not None:
                found.setdefault(type_.name, {})[name] = plain
    return found


def execution_context(schema: GraphQLSchema) -> type[StrawberryGraphQLCoreExecutionContext]:
    """Strawberry's execution context, with the plain fields of `schema` read directly."""
    plain_by_type = _plain_fields(schema)

    class PlainFieldsExecutionContext(StrawberryGraphQLCoreExecutionContext):
        def __init__(self, *args: Any, **kwargs: Any) -> None:
            super().__init__(*args, **kwargs)
            # grouped field set id -> (it, its fields with how to read each): worked out
            # once per selection, not once per object (a page has a hundred of each).
            self._plans: dict[int, tuple[Any, list[tuple[str, Any, _Plain | None]]]] = {}
            self._completers: dict[int, tuple[Any, Callable[[Any, Path], Any]]] = {}

        def _plan(
            self, plain: dict[str, _Plain], grouped_field_set: dict[str, Any]
        ) -> list[tuple[str, Any, _Plain | None]]:
            cached = self._plans.get(id(grouped_field_set))
            if cached is not None and cached[0] is grouped_field_set:
                return cached[1]
            plan = []
            for response_name, details in grouped_field_set.items():
                node = details[0].node
                field = None if node.arguments else plain.get(node.name.value)
                plan.append((response_name, details, field))
            self._plans[id(grouped_field_set)] = (grouped_field_set, plan)
            return plan

        def _value(self, field: _Plain, source: Any) -> Any:
            """The attribute read, or _ORDINARY when graphql-core's path must run."""
            try:
                value = field.read(source)
            except Exception:
                return _ORDINARY
            if value is None:
                return _ORDINARY if field.non_null else None
            return value if self._inert(value) else _ORDINARY

        def _inert(self, value: Any) -> bool:
            cls = value.__class__
            if cls in _INERT:
                return True
            if value is Undefined or isinstance(value, BaseException) or self.is_awaitable(value):
                return False
            if not hasattr(cls, "__await__") and cls not in (GeneratorType, CoroutineType):
                _INERT.add(cls)
            return True

        def _subfields(
            self, object_type: GraphQLObjectType, details: Any, context: Any
        ) -> Callable[[Any, Path], Any]:
            """How to complete one value of `object_type`: straight to its fields when no
            @defer is involved, as graphql-core itself goes then. Made once per field of
            the document (a page asks for the same fields of a hundred nodes)."""
            if context is None:
                known = self._completers.get(id(details))
                if known is not None and known[0] is details:
                    return known[1]
            collected = self.collect_subfields(object_type, details)
            if context is None and not collected.new_defer_usages:
                grouped = collected.grouped_field_set

                def complete(value: Any, path: Path) -> Any:
                    return self.execute_fields(object_type, value, path, grouped, None)

                self._completers[id(details)] = (details, complete)
                return complete
            return lambda value, path: self.collect_and_execute_subfields(
                object_type, details, path, value, context
            )

        def _object(self, field: _Plain, value: Any, details: Any, path: Path, context: Any) -> Any:
            """`value` completed as the field's object type or list of it; errors inside
            are handled as graphql-core's execute_field and list completion handle them."""
            if field.many and not self._ordinary_items(field, value):
                return _ORDINARY
            try:
                complete = self._subfields(field.object, details, context)  # type: ignore[arg-type]
                if not field.many:
                    return self._guarded(
                        complete(value, path),
                        field.type,
                        details,
                        path,
                    )
                item_type = field.type.of_type if field.non_null else field.type
                return self._guarded(
                    self._items(complete, item_type.of_type, value, details, path),
                    field.type,
                    details,
                    path,
                )
            except Exception as error:
                self.handle_field_error(error, field.type, details, path)
                return None

        def _ordinary_items(self, field: _Plain, value: Any) -> bool:
            if not isinstance(value, list | tuple):
                return False
            for item in value:
                if item is None:
                    if field.item_non_null:
                        return False
                elif not self._inert(item):
                    return False
            return True

        def _items(
            self,
            complete: Callable[[Any, Path], Any],
            item_type: GraphQLOutputType,
            items: list[Any],
            details: Any,
            path: Path,
        ) -> Any:
            completed: list[Any] = []
            waiting: list[int] = []
            try:
                for index, item in enumerate(items):
                    if item is None:
                        completed.append(None)
                        continue
                    item_path = path.add_key(index, None)
                    try:
                        one = self._guarded(
                            complete(item, item_path),
                            item_type,
                            details,
                            item_path,
                        )
                    except Exception as error:
                        self.handle_field_error(error, item_type, details, item_path)
                        one = None
                    if one.__class__ not in _COMPLETED and one is not None:
                        waiting.append(index)
                    completed.append(one)
            except Exception:
                self._abandon(completed, waiting)
                raise
            return self._done(completed, waiting)

        def _guarded(
            self, completed: Any, type_: GraphQLOutputType, details: Any, path: Path
        ) -> Any:
            """An awaitable completion's errors handled when it settles, at `path`."""
            if completed.__class__ in _COMPLETED or not self.is_awaitable(completed):
                return completed

            async def settled() -> Any:
                try:
                    return await completed
                except Exception as error:
                    self.handle_field_error(error, type_, details, path)
                    return None

            return settled()

        def execute_fields(
            self,
            parent_type: GraphQLObjectType,
            source_value: Any,
            path: Path | None,
            grouped_field_set: dict[str, Any],
            position_context: Any,
        ) -> Any:
            plain = plain_by_type.get(parent_type.name)
            middleware = self.middleware_manager
            if plain is None or (middleware is not None and middleware.middlewares):
                return super().execute_fields(
                    parent_type, source_value, path, grouped_field_set, position_context
                )
            results: dict[str, Any] = {}
            waiting: list[str] = []
            try:
                for response_name, details, field in self._plan(plain, grouped_field_set):
                    field_path = None
                    value = _ORDINARY
                    if field is not None:
                        value = self._value(field, source_value)
                        if value is not None and value is not _ORDINARY:
                            if field.leaf is not None:
                                value = field.leaf(value)
                            else:
                                field_path = Path(path, response_name, parent_type.name)
                                value = self._object(
                                    field, value, details, field_path, position_context
                                )
                    if value is _ORDINARY:
                        value = self.execute_field(
                            parent_type,
                            source_value,
                            details,
                            field_path or Path(path, response_name, parent_type.name),
                            position_context,
                        )
                        if value is Undefined:
                            continue
                    results[response_name] = value
                    if (
                        value is not None
                        and value.__class__ not in _INERT
                        and self.is_awaitable(value)
                    ):
                        waiting.append(response_name)
            except Exception:
                self._abandon(results, waiting)
                raise
            return self._done(results, waiting)

        def _abandon(self, completed: Any, waiting: list[Any]) -> None:
            """A null propagating out of a list or an object: what its earlier parts
            started (at `waiting`) still settles, as graphql-core lets it."""
            if waiting:
                self.settle_in_background([completed[key] for key in waiting])

        def _done(self, completed: Any, waiting: list[Any]) -> Any:
            """`completed`, or an awaitable of it once what is at `waiting` has settled."""
            return self._settled(completed, waiting) if waiting else completed

        async def _settled(self, completed: Any, waiting: list[Any]) -> Any:
            """`completed` (a list or a dict of fields) with its awaitables at `waiting`
            replaced by what they settle to, awaited together as graphql-core awaits them."""
            settled = await gather_with_cancel(*(completed[key] for key in waiting))
            for key, value in zip(waiting, settled, strict=True):
                completed[key] = value
            return completed

    return PlainFieldsExecutionContext
