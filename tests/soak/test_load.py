"""The mixed load against the real server: nothing fails, and however often the phones
resent their batches, every acknowledged item is stored exactly once."""

from __future__ import annotations

import asyncio

from api.local_cluster import LocalCluster
from tests.soak.checks import assert_exactly_once
from tests.soak.conftest import PLAN, connect
from tests.soak.workload import Workload, report


async def test_mixed_load_stores_every_acknowledged_item_once(
    workload: Workload, soak_cluster: LocalCluster
) -> None:
    async with workload.running(PLAN.users):
        await asyncio.sleep(PLAN.load_s)  # the length of the run, not a wait for something
    print(report("Mixed load", workload, PLAN.users))

    failures = {k: workload.stats.count(k) for k in ("unavailable", "internal", "timeout")}
    failures |= {k: workload.stats.count(k) for k in ("dropped", "other")}
    assert failures == dict.fromkeys(failures, 0)
    assert workload.ledger.batches, "the run sent no batch"
    conn = await connect(soak_cluster)
    try:
        await assert_exactly_once(conn, workload.ledger)
    finally:
        await conn.close()
