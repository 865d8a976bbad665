"""The soak runs' mixed workload, sent by simulated users over real sockets.

60% map and list reads (asset lists, community lists), 25% syncAssets / recordConversations
batches, 10% map tiles, 5% exports. Phones resend: after an answer some send the very same
batch again (it must come back UNCHANGED), some lose the answer (the client gives up reading
straight after sending) and resend at once; after a failure every phone resends the batch
until it is answered. The ledger remembers every batch and what the server acknowledged,
for the checks on the tables afterwards."""

from __future__ import annotations

import asyncio
import math
import random
import time
import uuid
from collections import Counter, defaultdict
from collections.abc import AsyncIterator, Awaitable, Callable, Sequence
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from typing import Any

import httpx

from tests.assets.helpers import item as asset_item
from tests.conversations.helpers import conversation
from tests.graphql_client import operation

ASSETS, COMMUNITIES, SYNC, RECORD, TILE, EXPORT = (
    "assets list",
    "communities list",
    "syncAssets",
    "recordConversations",
    "tile",
    "export",
)
MIX = ((ASSETS, 30), (COMMUNITIES, 30), (SYNC, 12.5), (RECORD, 12.5), (TILE, 10), (EXPORT, 5))
ASSET_BATCH, CONVERSATION_BATCH = 10, 25
RESEND_SHARE = 0.3  # batches sent again after their answer arrived
LOSE_SHARE = 0.2  # batches whose first answer is lost
# How long a phone waits before resending after a failure, and how long it keeps trying.
BACKOFF_S, GIVE_UP_S = 0.25, 90.0
TIMEOUT = httpx.Timeout(30.0)
LOSE = httpx.Timeout(30.0, read=0.001)  # the answer never arrives
ACKNOWLEDGED = {"CREATED", "UNCHANGED"}
TILE_ZOOMS = (8, 12, 14)


@dataclass(frozen=True)
class Accounts:
    leader: str  # access tokens
    engagement: str
    coordinator: str
    campaign_id: str
    points: Sequence[tuple[float, float]]  # (lat, lon) inside a community of the region
    county_codes: Sequence[str]


@dataclass
class Batch:
    kind: str  # SYNC or RECORD
    items: list[dict[str, Any]]

    @property
    def ids(self) -> list[str]:
        return [i["id"] for i in self.items]


@dataclass
class Ledger:
    batches: list[Batch] = field(default_factory=list)
    # kind -> id -> what the server answered for it (a conversation's reference code).
    acknowledged: dict[str, dict[str, str | None]] = field(
        default_factory=lambda: defaultdict(dict)
    )
    unacknowledged: list[Batch] = field(default_factory=list)
    # Two acknowledgements of one item that disagree, or a resend after an answer that
    # did not come back UNCHANGED: both would mean a retry was applied twice.
    disagreements: list[str] = field(default_factory=list)
    # A resend racing the lost first send may find its rows locked: answered CONFLICT, sent
    # again. Counted, not an error.
    raced: int = 0
    sends: int = 0  # every POST of a batch, first sends and resends
    resent_after_answer: int = 0


@dataclass
class Stats:
    ok: dict[str, list[float]] = field(default_factory=lambda: defaultdict(list))
    errors: dict[str, Counter[str]] = field(default_factory=lambda: defaultdict(Counter))
    unavailable_s: list[float] = field(default_factory=list)
    seconds: float = 0.0

    def add(self, op: str, kind: str, seconds: float) -> None:
        if kind == "ok":
            self.ok[op].append(seconds)
        else:
            self.errors[op][kind] += 1
        if kind == "unavailable":
            self.unavailable_s.append(seconds)

    def count(self, kind: str, ops: Sequence[str] | None = None) -> int:
        return sum(self.errors[op][kind] for op in (ops if ops is not None else self.errors))


def _kind(response: httpx.Response) -> str:
    """What an answer was: ok, unavailable (retry), internal, or other."""
    if response.status_code == 503:
        return "unavailable"
    if response.status_code >= 500:
        return "internal"
    if response.status_code != 200:
        return "other"
    if response.headers.get("content-type", "").startswith("application/json"):
        codes = {e["extensions"]["code"] for e in response.json().get("errors", [])}
        for code, kind in (("INTERNAL", "internal"), ("UNAVAILABLE", "unavailable")):
            if code in codes:
                return kind
        if codes:
            return "other"
    return "ok"


def tile_of(lat: float, lon: float, z: int) -> tuple[int, int]:
    n = 2**z
    y = (1 - math.asinh(math.tan(math.radians(lat))) / math.pi) / 2 * n
    return int((lon + 180) / 360 * n), int(y)


class Workload:
    def __init__(self, client: httpx.AsyncClient, accounts: Accounts, seed: int) -> None:
        self.client = client
        self.accounts = accounts
        self.rng = random.Random(seed)
        self.stats = Stats()
        self.ledger = Ledger()

    @asynccontextmanager
    async def running(self, users: int) -> AsyncIterator[None]:
        """`users` phones send one operation after another while the block runs; batches
        already started when it ends are still resent until answered."""
        stop = asyncio.Event()
        began = time.perf_counter()
        load = asyncio.gather(*(self._user(stop) for _ in range(users)))
        try:
            yield
        finally:
            stop.set()
            await load
            self.stats.seconds = time.perf_counter() - began

    async def _user(self, stop: asyncio.Event) -> None:
        ops = {SYNC: self._sync, RECORD: self._record, TILE: self._tile, EXPORT: self._export}
        ops |= {ASSETS: self._assets, COMMUNITIES: self._communities}
        names, weights = zip(*MIX, strict=True)
        while not stop.is_set():
            await ops[self.rng.choices(names, weights)[0]]()

    async def _send(
        self, op: str, send: Callable[[], Awaitable[httpx.Response]], *, losing: bool = False
    ) -> httpx.Response | None:
        """One request, timed and classified; the response if it was a good answer."""
        began = time.perf_counter()
        response = None
        try:
            response = await send()
            kind = _kind(response)
        except httpx.TimeoutException:
            kind = "lost" if losing else "timeout"
        except httpx.TransportError:
            kind = "dropped"  # the connection broke: a worker died under it
        self.stats.add(op, kind, time.perf_counter() - began)
        return response if kind == "ok" else None

    def _gql(
        self, query: str, variables: dict[str, Any], token: str | None, timeout: httpx.Timeout
    ) -> Callable[[], Awaitable[httpx.Response]]:
        headers = {"Authorization": f"Bearer {token}"} if token else {}
        body = {"query": query, "variables": variables}
        return lambda: self.client.post("/graphql", json=body, headers=headers, timeout=timeout)

    # --- reads -----------------------------------------------------------------------------

    async def _assets(self) -> None:
        lat, lon = self.rng.choice(self.accounts.points)
        box = {"west": lon - 0.05, "south": lat - 0.03, "east": lon + 0.05, "north": lat + 0.03}
        where: dict[str, Any] = (
            {"bbox": box}
            if self.rng.random() < 0.5
            else {"countyCode": self.rng.choice(self.accounts.county_codes)}
        )
        variables = {"filter": where, "first": 50}
        await self._send(
            ASSETS, self._gql(operation("Assets"), variables, self.accounts.coordinator, TIMEOUT)
        )

    async def _communities(self) -> None:
        variables = {"countyCode": self.rng.choice(self.accounts.county_codes), "first": 20}
        await self._send(COMMUNITIES, self._gql(operation("Communities"), variables, None, TIMEOUT))

    async def _tile(self) -> None:
        z = self.rng.choice(TILE_ZOOMS)
        x, y = tile_of(*self.rng.choice(self.accounts.points), z)
        headers = {"Authorization": f"Bearer {self.accounts.coordinator}"}
        url = f"/tiles/assets/{z}/{x}/{y}.mvt"
        await self._send(TILE, lambda: self.client.get(url, headers=headers, timeout=TIMEOUT))

    async def _export(self) -> None:
        params = {"countyCode": self.rng.choice(self.accounts.county_codes)}
        headers = {"Authorization": f"Bearer {self.accounts.coordinator}"}
        url = "/exports/assets.geojson"
        await self._send(
            EXPORT, lambda: self.client.get(url, params=params, headers=headers, timeout=TIMEOUT)
        )

    # --- batches ---------------------------------------------------------------------------

    def _uuid(self) -> str:
        return str(uuid.UUID(int=self.rng.getrandbits(128), version=4))

    async def _sync(self) -> None:
        items = [
            asset_item(self.rng.choice(self.accounts.points), id=self._uuid(), nameEn=f"Soak {n}")
            for n in range(ASSET_BATCH)
        ]
        await self._deliver(Batch(SYNC, items), operation("SyncAssets"), self.accounts.leader)

    async def _record(self) -> None:
        items = []
        for _ in range(CONVERSATION_BATCH):
            lat, lon = self.rng.choice(self.accounts.points)
            place = {"lat": lat, "lon": lon}
            items.append(conversation(self.accounts.campaign_id, id=self._uuid(), location=place))
        await self._deliver(
            Batch(RECORD, items), operation("RecordConversations"), self.accounts.engagement
        )

    async def _deliver(self, batch: Batch, query: str, token: str) -> None:
        self.ledger.batches.append(batch)
        losing = self.rng.random() < LOSE_SHARE
        resend = self.rng.random() < RESEND_SHARE
        answer = await self._until_acknowledged(batch, query, token, losing)
        if answer is None:
            self.ledger.unacknowledged.append(batch)
        elif resend:
            self.ledger.resent_after_answer += 1
            again = await self._until_acknowledged(batch, query, token, False)
            if again is None or set(again.values()) != {"UNCHANGED"}:
                self.ledger.disagreements.append(f"{batch.kind} resent after its answer: {again}")

    async def _until_acknowledged(
        self, batch: Batch, query: str, token: str, losing: bool
    ) -> dict[str, str] | None:
        """Send the very same batch until every item is acknowledged; their statuses."""
        give_up = time.perf_counter() + GIVE_UP_S
        statuses: dict[str, str] = {}
        while time.perf_counter() < give_up:
            timeout = LOSE if losing else TIMEOUT
            send = self._gql(query, {"input": batch.items}, token, timeout)
            self.ledger.sends += 1
            response = await self._send(batch.kind, send, losing=losing)
            if response is not None:
                results = response.json()["data"][batch.kind]["results"]
                statuses = {r["id"]: r["status"] for r in results}
                self._acknowledge(batch.kind, results)
                if set(statuses.values()) <= ACKNOWLEDGED:
                    return statuses
                self.ledger.raced += sum(s == "CONFLICT" for s in statuses.values())
                if set(statuses.values()) - ACKNOWLEDGED - {"CONFLICT"}:
                    self.ledger.disagreements.append(f"{batch.kind} refused: {results}")
                    return None
            elif not losing:
                await asyncio.sleep(BACKOFF_S)  # the phone's back-off, not a wait in the test
            losing = False  # a lost answer is resent at once
        return None

    def _acknowledge(self, kind: str, results: list[dict[str, Any]]) -> None:
        known = self.ledger.acknowledged[kind]
        for r in results:
            if r["status"] not in ACKNOWLEDGED:
                continue
            answer = r.get("referenceCode")
            if r["id"] in known and known[r["id"]] != answer:
                self.ledger.disagreements.append(f"{r['id']} answered {known[r['id']]}, {answer}")
            known[r["id"]] = answer


def _ms(ordered: list[float], q: float) -> str:
    """The q-quantile (nearest rank) in milliseconds, or a dash when there is nothing."""
    if not ordered:
        return "-"
    return f"{1000 * ordered[min(len(ordered) - 1, math.ceil(q * len(ordered)) - 1)]:.1f}"


def _batches(ledger: Ledger, stats: Stats) -> str:
    items = sum(len(b.items) for b in ledger.batches)
    lost = stats.count("lost")
    return (
        f"{len(ledger.batches)} batches ({items} items) in {ledger.sends} sends: "
        f"{ledger.resent_after_answer} sent again after their answer, {lost} after losing it, "
        f"the rest after a failure; {ledger.raced} items answered CONFLICT while a lost send "
        "of theirs was still being written"
    )


def report(title: str, workload: Workload, users: int) -> str:
    """The printed table: requests, good answers a second, latency of good answers, errors;
    then what became of the batches."""
    stats = workload.stats
    lines = [
        f"\n{title}: {stats.seconds:.1f} s, {users} clients",
        f"{'operation':<21}{'requests':>9}{'ok/s':>8}{'p50 ms':>9}{'p95 ms':>9}{'p99 ms':>9}"
        "  errors",
    ]
    ops = [op for op, _ in MIX]
    for name, group in [*((op, [op]) for op in ops), ("all", ops)]:
        ok = sorted(s for op in group for s in stats.ok[op])
        errors = sum((stats.errors[op] for op in group), Counter())
        listed = ", ".join(f"{kind} {n}" for kind, n in sorted(errors.items())) or "-"
        lines.append(
            f"{name:<21}{len(ok) + errors.total():>9}{len(ok) / stats.seconds:>8.1f}"
            + "".join(f"{_ms(ok, q):>9}" for q in (0.5, 0.95, 0.99))
            + f"  {listed}"
        )
    if stats.unavailable_s:
        fast = sorted(stats.unavailable_s)
        lines.append(
            f"UNAVAILABLE answers: {len(fast)}; p50 {_ms(fast, 0.5)} ms, p99 {_ms(fast, 0.99)} "
            f"ms, slowest {_ms(fast, 1.0)} ms"
        )
    lines.append(_batches(workload.ledger, stats))
    return "\n".join(lines)
