"""Relay-style connections over keyset pagination.

A cursor is the sort key of the last row seen, base64-encoded; `after` continues strictly
after it, so pages stay stable while rows are added elsewhere in the list.
"""

from __future__ import annotations

import base64
import binascii
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any, Generic, TypeVar

import orjson
import strawberry
from strawberry.types import Info
from strawberry.types.nodes import SelectedField, Selection

from api.errors import BadInput

T = TypeVar("T")
Row = TypeVar("Row")


def encode_cursor(key: Sequence[Any]) -> str:
    return base64.urlsafe_b64encode(orjson.dumps([str(k) for k in key])).decode()


def decode_cursor(cursor: str, key_types: Sequence[Callable[[str], Any]]) -> tuple[Any, ...]:
    """The sort key in a cursor, each part converted by `key_types` (e.g. str, uuid.UUID)."""
    try:
        key = orjson.loads(base64.urlsafe_b64decode(cursor.encode()))
        if not isinstance(key, list) or len(key) != len(key_types):
            raise ValueError(cursor)
        return tuple(convert(part) for convert, part in zip(key_types, key, strict=True))
    except (binascii.Error, ValueError, TypeError, orjson.JSONDecodeError):
        raise BadInput(
            "This cursor is not one the API gave out.",
            field="after",
            cy="Nid yw'r cyrchwr hwn yn un a roddodd yr API.",
        ) from None


@dataclass(frozen=True)
class PageRequest:
    """A checked `first`/`after`: `limit` rows after the key `after` (None = from the start)."""

    limit: int
    after: tuple[Any, ...] | None

    @classmethod
    def parse(
        cls,
        first: int | None,
        after: str | None,
        cap: int,
        key_types: Sequence[Callable[[str], Any]],
    ) -> PageRequest:
        limit = cap if first is None else first
        if not 0 <= limit <= cap:
            raise BadInput(
                f"first must be between 0 and {cap}.",
                field="first",
                cy=f"Rhaid i first fod rhwng 0 a {cap}.",
            )
        return cls(limit=limit, after=decode_cursor(after, key_types) if after else None)


@dataclass(frozen=True)
class Page(Generic[Row]):
    """Rows of one page (the repository fetches limit+1 to learn whether more follow)."""

    rows: list[Row]
    has_next: bool
    total: int | None = None


def _selects(selections: Sequence[Selection], name: str) -> bool:
    return any(
        s.name == name if isinstance(s, SelectedField) else _selects(s.selections, name)
        for s in selections
    )


def wants_total(info: Info[Any, Any]) -> bool:
    """Whether the query selects the connection's `totalCount` (directly or through a
    fragment): a count costs a statement, spent only when asked for."""
    return any(_selects(field.selections, "totalCount") for field in info.selected_fields)


@strawberry.type
class PageInfo:
    has_next_page: bool
    end_cursor: str | None


@strawberry.type
class Edge(Generic[T]):
    node: T
    key: strawberry.Private[Sequence[Any]]

    @strawberry.field
    def cursor(self) -> str:
        """Encoded only when asked for: phones page on `pageInfo.endCursor`."""
        return encode_cursor(self.key)


@strawberry.type
class Connection(Generic[T]):
    edges: list[Edge[T]]
    page_info: PageInfo
    total_count: int | None = None

    @classmethod
    def of(
        cls, page: Page[Any], key: Callable[[Any], Sequence[Any]], node: Callable[[Any], T]
    ) -> Connection[T]:
        rows = page.rows
        return cls(
            edges=[Edge(node=node(r), key=key(r)) for r in rows],
            page_info=PageInfo(
                has_next_page=page.has_next,
                end_cursor=encode_cursor(key(rows[-1])) if rows else None,
            ),
            total_count=page.total,
        )
