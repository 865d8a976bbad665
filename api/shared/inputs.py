"""Input types sent in batches of hundreds, built from their GraphQL values with each field's
type worked out once per class. Strawberry's own conversion resolves every field's annotation
again for every value: most of the time a 200-item batch spent in the API went there."""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Mapping
from typing import Any, TypeVar

from strawberry.relay.types import GlobalID
from strawberry.scalars import is_scalar
from strawberry.schema.config import StrawberryConfig
from strawberry.types import arguments
from strawberry.types.arguments import InputContext
from strawberry.types.base import (
    StrawberryList,
    StrawberryOptional,
    StrawberryType,
    has_object_definition,
)
from strawberry.types.enum import StrawberryEnumDefinition, has_enum_definition
from strawberry.types.info import Info
from strawberry.types.scalar import ScalarDefinition, ScalarWrapper

T = TypeVar("T")
Convert = Callable[[Any, InputContext], Any]


def _as_is(value: Any, context: InputContext) -> Any:
    return value


def _converter(type_: StrawberryType | type, context: InputContext) -> Convert:
    """How to turn a value of `type_` (already coerced by graphql-core) into Python."""
    if isinstance(type_, StrawberryOptional):
        inner = _converter(type_.of_type, context)
        if inner is _as_is:
            return _as_is
        return lambda value, ctx: None if value is None else inner(value, ctx)
    if isinstance(type_, StrawberryList):
        item = _converter(type_.of_type, context)
        if item is _as_is:
            return lambda value, ctx: list(value)
        return lambda value, ctx: [item(v, ctx) for v in value]
    if type_ is not GlobalID and (
        isinstance(type_, StrawberryEnumDefinition)
        or has_enum_definition(type_)
        or is_scalar(type_, context.scalar_registry)
    ):
        return _as_is  # graphql-core has already parsed scalars and enums
    if has_object_definition(type_) and type_.__strawberry_definition__.from_input is not None:
        build = type_.__strawberry_definition__.from_input
        return lambda value, ctx: build(type_, value, ctx)
    # Anything else (lazy, generic, Maybe...) the way Strawberry converts it.
    return lambda value, ctx: ctx.convert(value, type_)


def batch_input(cls: type[T]) -> type[T]:
    """Under `@strawberry.input`: build values of `cls` (and of the inputs it nests, when
    they use this too) with converters made on first use and kept."""
    definition = cls.__strawberry_definition__  # type: ignore[attr-defined]
    fields: list[tuple[str, str, Convert, bool]] = []

    def from_input(type_: type, value: Mapping[str, Any], context: InputContext) -> Any:
        if not fields:
            fields.extend(
                (
                    context.config.name_converter.from_field(f),
                    f.python_name,
                    _converter(f.resolve_type(type_definition=definition), context),
                    # Like Strawberry: a field without a default is None when left out.
                    f.default_value is dataclasses.MISSING
                    and f.default_factory is dataclasses.MISSING,
                )
                for f in definition.fields
            )
        kwargs: dict[str, Any] = {}
        for graphql_name, python_name, convert, none_if_missing in fields:
            if graphql_name in value:
                kwargs[python_name] = convert(value[graphql_name], context)
            elif none_if_missing:
                kwargs[python_name] = None
        return type_(**kwargs)

    definition.from_input = from_input
    return cls


_STRAWBERRY_CONVERT = arguments.convert_argument


def convert_argument(
    value: object,
    type_: StrawberryType | type,
    scalar_registry: Mapping[object, ScalarWrapper | ScalarDefinition],
    config: StrawberryConfig,
    info: Info | None = None,
    *,
    path: tuple[str | int, ...] = (),
) -> object:
    """Strawberry's conversion of an argument, except that a list of inputs whose class
    builds its own values (as batch inputs do, and ConversationInput) goes straight to that
    builder, item by item, with the context Strawberry would give each. Strawberry asks a
    dozen questions of the item type again for every item first: about 12 µs an item, 6 ms
    of a batch of 500."""
    if type(type_) is StrawberryList and type(value) is list:
        item_type = type_.of_type
        definition = getattr(item_type, "__strawberry_definition__", None)
        build = getattr(definition, "from_input", None)
        if build is not None:
            return [
                build(
                    item_type,
                    item,
                    InputContext(
                        info=info, config=config, scalar_registry=scalar_registry, path=(*path, n)
                    ),
                )
                for n, item in enumerate(value)
            ]
    return _STRAWBERRY_CONVERT(value, type_, scalar_registry, config, info, path=path)


def install() -> None:
    """Convert arguments with `convert_argument` (Strawberry's module holds the name it
    calls, for arguments and for the values nested in them)."""
    arguments.convert_argument = convert_argument
