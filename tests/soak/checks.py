"""What the tables must show after a soak run, however often batches were resent: every
acknowledged item stored exactly once (one row, one revision, one audit entry, the reference
code the phone was given), and every batch written by one transaction (all its rows carry
the same `xmin`), so none was ever half-written."""

from __future__ import annotations

from collections import Counter, defaultdict

import asyncpg

from tests.soak.workload import RECORD, SYNC, Ledger

STORED = {
    SYNC: "SELECT id::text, xmin::text::bigint AS xid, NULL AS answer FROM assets "
    "WHERE id = ANY($1::uuid[])",
    RECORD: "SELECT id::text, xmin::text::bigint AS xid, reference_code AS answer "
    "FROM conversations WHERE id = ANY($1::uuid[])",
}
# Rows written beside each item, in the same transaction.
BESIDE = {
    SYNC: "SELECT asset_id::text AS id, xmin::text::bigint AS xid FROM asset_revisions "
    "WHERE asset_id = ANY($1::uuid[]) UNION ALL "
    "SELECT entity_id, xmin::text::bigint FROM audit_log "
    "WHERE entity_type = 'asset' AND entity_id = ANY($1::text[])",
    RECORD: "SELECT entity_id AS id, xmin::text::bigint AS xid FROM audit_log "
    "WHERE entity_type = 'conversation' AND entity_id = ANY($1::text[])",
}
BESIDE_EACH = {SYNC: 2, RECORD: 1}  # a revision and an audit entry; an audit entry


async def assert_exactly_once(conn: asyncpg.Connection, ledger: Ledger) -> None:
    assert not ledger.unacknowledged, f"{len(ledger.unacknowledged)} batches never answered"
    assert not ledger.disagreements, ledger.disagreements[:5]
    for kind in (SYNC, RECORD):
        batches = [b for b in ledger.batches if b.kind == kind]
        sent = [i for b in batches for i in b.ids]
        acknowledged = ledger.acknowledged[kind]
        assert set(acknowledged) == set(sent), f"{kind}: sent but never acknowledged"

        rows = await conn.fetch(STORED[kind], sent)
        stored = Counter(r["id"] for r in rows)
        assert stored == Counter(sent), f"{kind}: stored {len(rows)} rows for {len(sent)} items"
        assert {r["id"]: r["answer"] for r in rows} == acknowledged

        beside = await conn.fetch(BESIDE[kind], sent)
        per_item = Counter(r["id"] for r in beside)
        assert per_item == Counter({i: BESIDE_EACH[kind] for i in sent}), f"{kind}: retries"

        xids: dict[str, set[int]] = defaultdict(set)
        for r in [*rows, *beside]:
            xids[r["id"]].add(r["xid"])
        split = [b.ids for b in batches if len(set().union(*(xids[i] for i in b.ids))) != 1]
        assert not split, f"{kind}: {len(split)} batches written by more than one transaction"
