"""Plain leaf fields read by api.web.plain_leaves give graphql-core's answer: the same data,
in the document's order, and the same errors at the same paths, whatever the values."""

from __future__ import annotations

import asyncio
import enum
from typing import Any, NewType

import strawberry
from strawberry.schema.config import StrawberryConfig
from strawberry.schema.schema import StrawberryGraphQLCoreExecutionContext

from api.schema import build_schema
from api.settings import Settings
from api.web import plain_leaves


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


@strawberry.type
class Thing:
    name: str
    maybe: str | None
    colour: Colour
    count: int
    inner: Inner
    loose: Loose | None = None  # type: ignore[valid-type]

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
    ]


@strawberry.type
class Query:
    @strawberry.field
    def things(self) -> list[Thing | None]:
        return _sources()


DOCUMENT = "{ things { count inner { n } shout name maybe colour first: name loose } }"


def _run(context: type[Any] | None) -> dict[str, Any]:
    schema = strawberry.Schema(
        query=Query, config=StrawberryConfig(scalar_map={Loose: LOOSE_SCALAR})
    )
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
    assert _run(plain_leaves.execution_context) == _run(None)


def test_the_app_reads_plain_leaves_directly() -> None:
    schema = build_schema(Settings(env="development", _env_file=None))
    context = schema.execution_context_class
    assert issubclass(context, StrawberryGraphQLCoreExecutionContext)
    assert context is not StrawberryGraphQLCoreExecutionContext
