"""Caps on the lists a client may send. The body-size limit alone would let one request
carry tens of thousands of items into a loop or a statement; each list gets its own cap,
checked in the service before anything is read or written, and an over-long list is
refused with an error naming its field."""

from __future__ import annotations

from collections.abc import Sized
from enum import Enum

from api.errors import BadInput, DomainError, InvalidInput

# County codes in one list: more than any region has counties (Wales has 22 principal
# areas; the first region has 3).
COUNTY_CODES_MAX = 100

Cap = tuple[Sized | None, int, str]


def too_many(items: Sized | None, cap: int, field: str) -> BadInput | None:
    """The error for `items` (sent as `field`) when it is longer than `cap`, else None."""
    if items is None or len(items) <= cap:
        return None
    return BadInput(
        f"{field} can hold at most {cap} items; this one has {len(items)}.",
        field=field,
        cy=f"Gall {field} ddal {cap} eitem ar y mwyaf; mae gan hwn {len(items)}.",
    )


def over_caps(*caps: Cap) -> list[DomainError]:
    """An error for each (items, cap, field) over its cap."""
    return [e for e in (too_many(*cap) for cap in caps) if e is not None]


def check_caps(*caps: Cap) -> None:
    """Refuse the input, nothing read or written, when any (items, cap, field) is over."""
    errors = over_caps(*caps)
    if errors:
        raise InvalidInput(errors)


def check_each_cap(*caps: Cap) -> None:
    """As check_caps, for inputs refused as a GraphQL error: the first list over its cap is
    raised as it is (a BadInput naming its field)."""
    for cap in caps:
        if (error := too_many(*cap)) is not None:
            raise error


def members(enum: type[Enum]) -> int:
    """The cap of a list of `enum` values: one of each (a longer list repeats some)."""
    return len(enum)
