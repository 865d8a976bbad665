"""Batch inputs are built exactly as Strawberry builds them, field for field."""

import uuid
from enum import Enum

import strawberry
from strawberry.schema.config import StrawberryConfig
from strawberry.schema.types.scalar import DEFAULT_SCALAR_REGISTRY
from strawberry.types import arguments
from strawberry.types.arguments import InputContext
from strawberry.types.base import StrawberryList

from api.schema import build_schema
from api.shared import inputs
from api.shared.inputs import _STRAWBERRY_CONVERT, batch_input, convert_argument


@strawberry.enum
class Colour(Enum):
    RED = "RED"
    BLUE = "BLUE"


def _inputs(fast: bool) -> tuple[type, type]:
    wrap = batch_input if fast else (lambda cls: cls)

    @wrap
    @strawberry.input(name="Inner")
    class Inner:
        x: float
        note: str | None = None

    @wrap
    @strawberry.input(name="Outer")
    class Outer:
        id: uuid.UUID
        inner: Inner
        colours: list[Colour]
        maybe_inner: Inner | None = None
        inners: list[Inner] = strawberry.field(default_factory=list)
        count: int | None = None
        tags: list[str] = strawberry.field(default_factory=list)
        required_nullable: str | None = strawberry.field(default=None)

    return Inner, Outer


def _received(fast: bool, variables: dict) -> list:
    _, outer = _inputs(fast)
    assert (outer.__strawberry_definition__.from_input is not None) is fast
    seen: list = []

    @strawberry.type
    class Query:
        @strawberry.field
        def take(self, items: list[outer]) -> int:  # type: ignore[valid-type]
            seen.extend(items)
            return len(items)

    schema = strawberry.Schema(query=Query)
    result = schema.execute_sync("query($i: [Outer!]!) { take(items: $i) }", variables)
    assert result.errors is None, result.errors
    return seen


def _plain(value: object) -> object:
    """Values of the two (distinct) classes compared by their fields."""
    if isinstance(value, list):
        return [_plain(v) for v in value]
    if hasattr(value, "__dataclass_fields__"):
        return (type(value).__name__, {k: _plain(getattr(value, k)) for k in vars(value)})
    return value


def test_batch_inputs_match_strawberrys_own_conversion() -> None:
    items = [
        {
            "id": str(uuid.uuid4()),
            "inner": {"x": 1.5},
            "colours": ["RED", "BLUE"],
            "maybeInner": {"x": 2, "note": "n"},
            "inners": [{"x": 3}, {"x": 4, "note": None}],
            "count": 7,
            "tags": ["a"],
        },
        {"id": str(uuid.uuid4()), "inner": {"x": 0}, "colours": [], "maybeInner": None},
    ]
    fast, slow = _received(True, {"i": items}), _received(False, {"i": items})
    assert _plain(fast) == _plain(slow)
    assert isinstance(fast[0].id, uuid.UUID) and fast[0].colours == [Colour.RED, Colour.BLUE]
    assert fast[1].inners == [] and fast[1].maybe_inner is None and fast[1].count is None


def test_a_list_of_batch_inputs_is_built_as_strawberry_builds_it(monkeypatch) -> None:
    """The list shortcut gives each item to its class's builder, without Strawberry's
    conversion, with the context (path and all) that Strawberry's own conversion gives it;
    anything else it hands on to Strawberry's."""
    seen: list[tuple] = []

    @strawberry.input(name="Item")
    class Item:
        n: int

    def build(cls: type, value: dict, context: InputContext) -> tuple:
        seen.append((context.path, context.info, context.config))
        return (cls, value["n"])

    Item.__strawberry_definition__.from_input = build
    config, registry = StrawberryConfig(), DEFAULT_SCALAR_REGISTRY
    values = [{"n": 1}, {"n": 2}]
    given = StrawberryList(Item)
    strawberrys = _STRAWBERRY_CONVERT(values, given, registry, config, None, path=("items",))
    strawberry_seen, seen[:] = list(seen), []

    handed_on: list[object] = []

    def strawberry_convert(value: object, *args: object, **kwargs: object) -> str:
        handed_on.append(value)
        return "converted by Strawberry"

    monkeypatch.setattr(inputs, "_STRAWBERRY_CONVERT", strawberry_convert)
    shortcut = convert_argument(values, given, registry, config, None, path=("items",))
    assert handed_on == []
    assert shortcut == strawberrys == [(Item, 1), (Item, 2)]
    assert seen == strawberry_seen == [(("items", 0), None, config), (("items", 1), None, config)]

    # A null list, and a list of a leaf type: Strawberry's.
    assert convert_argument(None, given, registry, config) == "converted by Strawberry"
    assert convert_argument([1], StrawberryList(int), registry, config) == "converted by Strawberry"
    assert handed_on == [None, [1]]


def test_the_schema_converts_arguments_with_the_shortcut(settings) -> None:
    build_schema(settings)
    assert arguments.convert_argument is convert_argument
