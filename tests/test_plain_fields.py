"""Plain fields read by api.web.plain_fields give graphql-core's answer: the same data, in
the document's order, and the same errors at the same paths (nulls propagating as they
should), whatever the values: leaves, objects and lists of objects, with awaitables and
failures below them."""

from __future__ import annotations

import asyncio
import enum
import gc
import warnings
from typing import Any, NewType

import strawberry
from strawberry.schema.config import StrawberryConfig
from strawberry.schema.schema import StrawberryGraphQLCoreExecutionContext

from api.schema import build_schema
from api.settings import Settings
from api.web import plain_fields


@strawberry.enum
class Colour(enum.Enum):
    RED = "RED"


# A scalar that takes anything: only the reader's own checks stop an exception or an
# awaitable being written out as text.
Loose = NewType("Loose", object)
LOOSE_SCALAR = strawberry.scalar(
    name="Loose",
    serialize=lambda value: None if value == "none" else str(value),
    parse_value=str,
)


@strawberry.type
class Inner:
    n: int | None
    must: int = 0

    @strawberry.field
    async def later(self) -> int | None:
        if self.n == 3:
            raise ValueError("later fails")
        return self.n

    @strawberry.field
    async def later_must(self) -> int:
        return None if self.n == 1 else self.must  # type: ignore[return-value]


@strawberry.interface
class Named:
    label: str


@strawberry.type
class Pet(Named):
    legs: int


@strawberry.type
class Thing:
    name: str
    maybe: str | None
    colour: Colour
    count: int
    inner: Inner
    loose: Loose | None = None  # type: ignore[valid-type]
    maybe_inner: Inner | None = None
    inners: list[Inner] = strawberry.field(default_factory=list)
    loose_inners: list[Inner | None] | None = None
    ratio: float | None = None
    big: int | None = None
    # Pet checks its values (it has an interface): a value of another type is an error.
    pet: Pet | None = None

    @strawberry.field
    def shout(self) -> str | None:
        return self.name.upper() if isinstance(self.name, str) else None


class Broken:
    """A source whose attribute reads fail."""

    @property
    def name(self) -> str:
        raise ValueError("cannot read")


async def _later() -> str:
    return "later"


def _sources() -> list[Any]:
    """Fresh each time: one holds a coroutine, which can be awaited once."""
    return [
        Thing(name="a", maybe=None, colour=Colour.RED, count=1, inner=Inner(n=2)),
        Thing(name=None, maybe="m", colour=Colour.RED, count=1, inner=Inner(n=None)),  # type: ignore[arg-type]
        Thing(name="b", maybe="m", colour="PURPLE", count=1, inner=Inner(n=3)),  # type: ignore[arg-type]
        Thing(name="b", maybe="m", colour=Colour.RED, count="x", inner=Inner(n=3)),  # type: ignore[arg-type]
        Thing(
            name="c", maybe=ValueError("as a value"), colour=Colour.RED, count=2, inner=Inner(n=1)
        ),  # type: ignore[arg-type]
        Thing(name=_later(), maybe="m", colour=Colour.RED, count=3, inner=Inner(n=1)),  # type: ignore[arg-type]
        Thing(name="d", maybe="m", colour=Colour.RED, count=4, inner=Inner(n=1), loose="ok"),
        Thing(name="e", maybe="m", colour=Colour.RED, count=5, inner=Inner(n=1), loose="none"),
        Thing(
            name="f",
            maybe="m",
            colour=Colour.RED,
            count=6,
            inner=Inner(n=1),
            loose=ValueError("no"),
        ),
        Thing(name="g", maybe="m", colour=Colour.RED, count=7, inner=Inner(n=1), loose=_later()),
        Broken(),
        _with(maybe_inner=Inner(n=5, must=None)),  # type: ignore[arg-type]
        _with(maybe_inner=ValueError("not an object")),
        _with(maybe_inner=_inner_later()),
        _with(inners=[Inner(n=4), Inner(n=5, must=None)]),  # type: ignore[arg-type]
        _with(inners=[Inner(n=4), None]),
        _with(inners=(Inner(n=4), Inner(n=6))),
        _with(inners="not a list"),
        _with(inners=[Inner(n=1)]),
        _with(inners=[Inner(n=3), Inner(n=2)]),
        _with(loose_inners=[None, Inner(n=7), Inner(n=8, must=None)]),  # type: ignore[arg-type]
        _with(loose_inners=[Inner(n=9), ValueError("an item")]),
        _with(loose_inners=[Inner(n=9), _inner_later()]),
        _with(loose_inners=[Inner(n=1), Inner(n=3)]),
        _with(inner=None),  # type: ignore[arg-type]
        _with(inner=Inner(n=1)),
        _with(pet=Pet(label="Mot", legs=4)),
        _with(pet=Inner(n=1)),
        _with(ratio=1.5, big=2**31 - 1),
        _with(ratio=float("nan"), big=2**31),
        _with(ratio=float("inf"), big=True),
        _with(ratio=2, big=2.0),
        _with(name=5, maybe=["a list"]),
    ]


async def _inner_later() -> Inner:
    return Inner(n=10)


def _with(**fields: Any) -> Thing:
    values = {"name": "h", "maybe": "m", "colour": Colour.RED, "count": 8, "inner": Inner(n=2)}
    return Thing(**(values | fields))


@strawberry.type
class Query:
    @strawberry.field
    def things(self) -> list[Thing | None]:
        return _sources()


INNER = "{ n must later laterMust }"
DOCUMENT = (
    "{ things { count inner { n } shout name maybe colour first: name loose "
    f"maybeInner {INNER} inners {INNER} looseInners {INNER} other: inners {{ n }} "
    "pet { label legs } ratio big } }"
)


class QuietSchema(strawberry.Schema):
    def process_errors(self, errors: Any, execution_context: Any = None) -> None:
        """Not logged: a logged error's traceback would keep the coroutines it passed
        alive, and hide the ones left unawaited."""


def _run(context: type[Any] | None) -> dict[str, Any]:
    schema = QuietSchema(query=Query, config=StrawberryConfig(scalar_map={Loose: LOOSE_SCALAR}))
    if context is not None:
        schema.execution_context_class = context(schema._schema)
    result = asyncio.run(schema.execute(DOCUMENT))
    errors = sorted((e.message, tuple(e.path or ())) for e in result.errors or [])
    return {"data": result.data, "order": _keys(result.data), "errors": errors}


def _keys(data: Any) -> Any:
    if isinstance(data, dict):
        return [(k, _keys(v)) for k, v in data.items()]
    if isinstance(data, list):
        return [_keys(v) for v in data]
    return None


def test_same_answer_as_graphql_core() -> None:
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        assert _run(plain_fields.execution_context) == _run(None)
        # What a null propagating out of a list leaves started must still be awaited.
        gc.collect()
    assert not [str(w.message) for w in caught if "never awaited" in str(w.message)]


def test_the_app_reads_plain_fields_directly() -> None:
    schema = build_schema(Settings(env="development", _env_file=None))
    context = schema.execution_context_class
    assert issubclass(context, StrawberryGraphQLCoreExecutionContext)
    assert context is not StrawberryGraphQLCoreExecutionContext
