"""The pieces every offline batch (assets, conversations, ...) shares, so each domain
answers a phone the same way: one result per item, in input order, and a replay of the
same item is recognised without writing anything.

How a domain uses them: `check_batch_size` first; per item, validate into a plain record
or collect its errors (REJECTED); compare `fingerprint(content)` with the stored one to
answer UNCHANGED; compare the item's `version` with the stored one (`is_stale`) to answer
CONFLICT with the server copy; write every CREATED/UPDATED row of the batch in one
statement (`write_settled`); return `ItemOutcome`s in input order.
"""

from __future__ import annotations

import hashlib
from collections.abc import Awaitable, Callable, Collection, Mapping, Sized
from dataclasses import dataclass, field
from typing import Any, Generic, TypeVar

import orjson

from api.errors import BadInput, Conflict, DomainError
from api.shared.user_errors import BatchStatus

Record = TypeVar("Record")
Key = TypeVar("Key")
Row = TypeVar("Row")

# A batch whose rows keep being taken from under it is given up after this many writes.
WRITE_ATTEMPTS = 3


def check_batch_size(items: Sized, limit: int, *, field: str = "input") -> None:
    """A batch over the limit is refused whole, before anything is read or written."""
    if len(items) > limit:
        raise BadInput(
            f"Send at most {limit} items in one batch (this one has {len(items)}); "
            "split it and send the parts one after another.",
            field=field,
            cy=f"Anfonwch {limit} eitem ar y mwyaf mewn un swp (mae {len(items)} yn hwn); "
            "rhannwch ef ac anfon y rhannau y naill ar ôl y llall.",
        )


def fingerprint(content: Mapping[str, Any]) -> str:
    """A stable hash of an item's content: the same content sent again hashes the same,
    whatever the key order, so a replay is UNCHANGED and writes nothing."""
    return hashlib.sha256(
        orjson.dumps(content, option=orjson.OPT_SORT_KEYS | orjson.OPT_NON_STR_KEYS, default=str)
    ).hexdigest()


def is_stale(stored_version: int, based_on: int | None) -> bool:
    """An edit made from an older copy than the stored one (None: a create, never stale)."""
    return based_on is not None and based_on != stored_version


@dataclass
class ItemOutcome(Generic[Record]):
    """What happened to one item of a batch; `record` is the stored copy after the write,
    `server_copy` the stored copy a CONFLICT refused to overwrite."""

    status: BatchStatus
    id: Any = None
    record: Record | None = None
    server_copy: Record | None = None
    errors: list[DomainError] = field(default_factory=list)

    @classmethod
    def rejected(cls, item_id: Any, errors: list[DomainError]) -> ItemOutcome[Record]:
        return cls(status=BatchStatus.REJECTED, id=item_id, errors=errors)


async def write_settled(
    rows: Mapping[Key, Row],
    write: Callable[[list[Row]], Awaitable[Collection[Key]]],
    settle: Callable[[dict[Key, Row]], Awaitable[dict[Key, Row]]],
) -> None:
    """Write a batch's rows in one statement, however the race with another transaction
    ends. A row `write` skipped (it returns the keys it wrote) was taken meanwhile, most
    often by a resend's own first send, uncommitted when this batch read what was stored.
    `settle` answers the skipped rows the way a send arriving now would (a replay, a
    conflict) and returns those still to write, which are written again."""
    pending = dict(rows)
    for _ in range(WRITE_ATTEMPTS):
        written = await write(list(pending.values()))
        skipped = {key: row for key, row in pending.items() if key not in written}
        pending = await settle(skipped) if skipped else {}
        if not pending:
            return
    raise Conflict(
        "Could not store the batch; send it again.",
        field="input",
        cy="Methwyd â chadw'r swp; anfonwch ef eto.",
    )
