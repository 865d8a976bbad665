"""GraphQL variables coerced by functions made once per input type, not by graphql-core's
generic walk. graphql-core coerces a value by asking, at every one of its nodes, what kind
of type it has (non-null? list? input object? leaf?) and looking each field up again; a
batch of 500 conversations has about 22,000 nodes, and that walk (with the nesting check
before it, which walks them all once more) took about a third of the batch's CPU.

The functions here give the same answer as `graphql.utilities.coerce_input_value` for
every value: the coerced value when it is valid, `Undefined` when it is not. graphql-core
still produces the errors of an invalid value itself (it walks it again with
`validate_input_value` when coercion gives `Undefined`), so error messages do not change.
`install()` puts them where graphql-core coerces operation variables; tests compare both
on every input type of the schema.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from graphql import (
    GraphQLEnumType,
    GraphQLInputObjectType,
    GraphQLInputType,
    GraphQLList,
    GraphQLNonNull,
    GraphQLSchema,
    Undefined,
    is_required_input_field,
)
from graphql.execution import values
from graphql.pyutils import is_iterable
from graphql.type.scalars import (
    GRAPHQL_MAX_INT,
    GRAPHQL_MIN_INT,
    coerce_boolean,
    coerce_int,
    coerce_string,
)
from graphql.utilities.coerce_input_value import coerce_default_value

Coerce = Callable[[Any], Any]

_GENERIC_COERCE = values.coerce_input_value
_GENERIC_NESTING = values.input_is_nested_too_deeply
# Coercers and nesting depths of named input types: those belong to the schema and live as
# long as it. Wrappers (non-null, list) are made anew for every variable signature, so they
# are compiled around the cached named types each time (a few closures).
_coercers: dict[GraphQLInputType, Coerce] = {}
_required_leaves: dict[GraphQLInputType, Coerce] = {}
_depths: dict[GraphQLInputType, float] = {}


def coercer(type_: GraphQLInputType) -> Coerce:
    """A function coercing a value of `type_` exactly as graphql-core's coerce_input_value."""
    if isinstance(type_, GraphQLNonNull) and _is_leaf(type_.of_type):
        # One call per required leaf, not a non-null check calling the leaf's.
        found = _required_leaves.get(type_.of_type)
        if found is None:
            found = _required_leaves[type_.of_type] = _leaf(type_.of_type, Undefined)
        return found
    if isinstance(type_, GraphQLNonNull):
        inner = coercer(type_.of_type)

        def non_null(value: Any) -> Any:
            if value is None or value is Undefined:
                return Undefined
            return inner(value)

        return non_null
    if isinstance(type_, GraphQLList):
        item = coercer(type_.of_type)

        def list_of(value: Any) -> Any:
            if value is None or value is Undefined:
                return None
            if not is_iterable(value):
                one = item(value)
                return Undefined if one is Undefined else [one]
            coerced = []
            for each in value:
                one = item(each)
                if one is Undefined:
                    return Undefined
                coerced.append(one)
            return coerced

        return list_of
    found = _coercers.get(type_)
    if found is None:
        if isinstance(type_, GraphQLInputObjectType):
            # Registered before its fields are compiled: input types may refer to themselves.
            made: list[Coerce] = []
            _coercers[type_] = lambda value: made[0](value)
            made.append(_input_object(type_))
            found = _coercers[type_] = made[0]
        else:
            found = _coercers[type_] = _leaf(type_, None)
    return found


def _is_leaf(type_: GraphQLInputType) -> bool:
    return not isinstance(type_, GraphQLNonNull | GraphQLList | GraphQLInputObjectType)


def _leaf(type_: Any, if_null: Any) -> Coerce:
    """A scalar's or enum's coercion; a null is `if_null` (None, or Undefined if required)."""
    parse = type_.coerce_input_value
    # Values the built-in scalars' own functions return unchanged, recognised without the
    # call (anything else still goes through it).
    kind, low, high = {
        coerce_string: (str, None, None),
        coerce_boolean: (bool, None, None),
        coerce_int: (int, GRAPHQL_MIN_INT, GRAPHQL_MAX_INT),
    }.get(parse, (None, None, None))

    # An enum's names and what each becomes, worked out by its own function once: a batch
    # of conversations has thousands of channels, languages and age bands.
    names = (
        {name: parse(name) for name in type_.values} if isinstance(type_, GraphQLEnumType) else {}
    )

    def leaf(value: Any) -> Any:
        if value is None or value is Undefined:
            return if_null
        if type(value) is kind and (low is None or low <= value <= high):
            return value
        if names and type(value) is str and value in names:
            return names[value]
        try:
            return parse(value)
        except Exception:  # as graphql-core: any failure is an invalid value
            return Undefined

    return leaf


def _input_object(type_: GraphQLInputObjectType) -> Coerce:
    # A field's default is coerced once and kept by graphql-core (the same object every
    # time): taken here once too.
    fields = [
        (
            name,
            field.out_name or name,
            coercer(field.type),
            is_required_input_field(field),
            Undefined if is_required_input_field(field) else coerce_default_value(field),
        )
        for name, field in type_.fields.items()
    ]
    names = type_.fields.keys()
    out_type, one_of = type_.out_type, type_.is_one_of

    def input_object(value: Any) -> Any:
        if value is None or value is Undefined:
            return None
        if not isinstance(value, dict):
            return Undefined
        if one_of or not value.keys() <= names:
            defined = 0
            for key, given in value.items():
                if given is not Undefined:
                    defined += 1
                    if key not in names:
                        return Undefined
        coerced: dict[str, Any] = {}
        get = value.get
        for name, out_name, coerce, required, default in fields:
            given = get(name, Undefined)
            if given is Undefined:
                if required:
                    return Undefined
                if default is not Undefined:
                    coerced[out_name] = default
            else:
                one = coerce(given)
                if one is Undefined:
                    return Undefined
                coerced[out_name] = one
        if one_of and (defined != 1 or len(coerced) != 1 or next(iter(coerced.values())) is None):
            return Undefined
        return out_type(coerced)

    return input_object


def nesting_depth(type_: GraphQLInputType) -> float:
    """The deepest a value of `type_` can nest, counted as graphql-core's nesting check
    counts (one per list and per input object field); infinite for a type that contains
    itself."""
    if isinstance(type_, GraphQLNonNull):
        return nesting_depth(type_.of_type)
    if isinstance(type_, GraphQLList):
        return 1 + nesting_depth(type_.of_type)
    if not isinstance(type_, GraphQLInputObjectType):
        return 0
    if type_ not in _depths:
        _depths[type_] = float("inf")  # while its fields are looked at: a cycle is infinite
        _depths[type_] = 1 + max((nesting_depth(f.type) for f in type_.fields.values()), default=0)
    return _depths[type_]


def coerce_input_value(value: Any, type_: GraphQLInputType) -> Any:
    return coercer(type_)(value)


def input_is_nested_too_deeply(value: Any, type_: GraphQLInputType) -> bool:
    # A type that cannot nest past the limit needs no walk over the value.
    if nesting_depth(type_) <= values.MAX_NESTING_DEPTH:
        return False
    return _GENERIC_NESTING(value, type_)


def install(schema: GraphQLSchema) -> None:
    """Coerce operation variables with these functions (graphql-core's module holds the
    names it calls); the schema's input types are compiled now rather than by a request."""
    for type_ in schema.type_map.values():
        if isinstance(type_, GraphQLInputObjectType):
            coercer(type_)
            nesting_depth(type_)
    values.coerce_input_value = coerce_input_value
    values.input_is_nested_too_deeply = input_is_nested_too_deeply
