"""Faults under load: the database stopped and started again, and an API worker killed in
the middle of a batch. Requests fail fast with a retryable error (never INTERNAL, never a
hang), the service recovers without a restart, and the phones' resends converge on every
item stored exactly once, no batch half-written."""

from __future__ import annotations

import asyncio

import asyncpg
import httpx

from api.local_cluster import LocalCluster
from tests.soak.checks import assert_exactly_once
from tests.soak.conftest import PLAN, connect
from tests.soak.server import ApiServer
from tests.soak.workload import EXPORT, MIX, Stats, Workload, report

# A write under way: a backend of one of the API processes holds a transaction id.
WRITING = (
    "SELECT application_name, backend_xid::text FROM pg_stat_activity "
    "WHERE application_name = ANY($1::text[]) AND backend_xid IS NOT NULL LIMIT 1"
)


def assert_no_hard_failures(stats: Stats) -> None:
    """Retryable answers only: nothing INTERNAL, nothing unanswered, nothing unexplained."""
    hard = {kind: stats.count(kind) for kind in ("internal", "timeout", "other")}
    assert hard == dict.fromkeys(hard, 0)


async def test_database_outage_fails_fast_and_recovers_without_restart(
    workload: Workload,
    soak_cluster: LocalCluster,
    soak_client: httpx.AsyncClient,
) -> None:
    async with workload.running(PLAN.users):
        await asyncio.sleep(PLAN.lead_s)  # phases of the run, not waits for something
        await asyncio.to_thread(soak_cluster.stop)
        try:
            during = await soak_client.get("/readyz")
            await asyncio.sleep(PLAN.outage_s)
        finally:
            await asyncio.to_thread(soak_cluster.start)
        await asyncio.sleep(PLAN.tail_s)
    after = await soak_client.get("/readyz")
    title = f"Database stopped for {PLAN.outage_s:g} s under load"
    print(report(title, workload, PLAN.users))

    assert (during.status_code, during.json()["database"]) == (503, "unreachable")
    assert after.status_code == 200
    assert_no_hard_failures(workload.stats)
    assert workload.stats.count("unavailable") > 0
    # The API processes stayed up: only a streamed export may be cut off mid-way.
    assert workload.stats.count("dropped", [op for op, _ in MIX if op != EXPORT]) == 0
    conn = await connect(soak_cluster)
    try:
        await assert_exactly_once(conn, workload.ledger)
    finally:
        await conn.close()


async def test_a_worker_killed_mid_batch_is_replaced_and_nothing_is_half_written(
    workload: Workload, soak_cluster: LocalCluster, soak_server: ApiServer
) -> None:
    conn = await connect(soak_cluster)
    try:
        async with workload.running(PLAN.users):
            await asyncio.sleep(PLAN.lead_s)
            victim, xid = await asyncio.wait_for(_writing_worker(conn, soak_server), 60)
            replacement = await asyncio.to_thread(soak_server.kill_worker, victim)
            await asyncio.sleep(PLAN.tail_s)
        status = await conn.fetchval("SELECT pg_xact_status($1::text::xid8)", xid)
        print(report("An API worker killed mid-batch", workload, PLAN.users))
        print(
            f"worker {victim} killed inside transaction {xid} (now {status}); {replacement} "
            "took its place"
        )

        workers = soak_server.worker_pids()
        assert victim not in workers and replacement in workers
        assert len(workers) == soak_server.workers
        assert_no_hard_failures(workload.stats)
        assert workload.stats.count("unavailable") == 0
        await assert_exactly_once(conn, workload.ledger)
    finally:
        await conn.close()


async def _writing_worker(conn: asyncpg.Connection, server: ApiServer) -> tuple[int, str]:
    """Watch the database until a worker is inside a write; (its pid, the transaction)."""
    names = {f"cymuned:{pid}": pid for pid in server.worker_pids()}
    while True:
        row = await conn.fetchrow(WRITING, list(names))
        if row is not None:
            return names[row[0]], row[1]
