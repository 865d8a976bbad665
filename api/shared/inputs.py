"""Input types sent in batches of hundreds, built from their GraphQL values with each field's
type worked out once per class. Strawberry's own conversion resolves every field's annotation
again for every value: most of the time a 200-item batch spent in the API went there."""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Mapping
from typing import Any, TypeVar

from strawberry.relay.types import GlobalID
from strawberry.scalars import is_scalar
from strawberry.types.arguments import InputContext
from strawberry.types.base import (
    StrawberryList,
    StrawberryOptional,
    StrawberryType,
    has_object_definition,
)
from strawberry.types.enum import StrawberryEnumDefinition, has_enum_definition

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
