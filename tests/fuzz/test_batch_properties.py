"""Property tests for the batch rules of field sync (`syncAssets`, `recordConversations`):
any batches, each replayed any number of times and interleaved with the others, leave
exactly the data of sending each once; an item is CREATED the first time and UNCHANGED
after; different content under a stale version (or an id already taken) is a CONFLICT that
changes nothing."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import httpx
import pytest
from hypothesis import event, given
from hypothesis import strategies as st
from sqlalchemy import TextClause, text
from sqlalchemy.ext.asyncio import AsyncConnection

from api.auth.principal import ALL_COUNTIES, Role
from api.db import RequestSession
from tests.conversations.helpers import conversation as conversation_input
from tests.conversations.helpers import create_campaign
from tests.fuzz.support import fuzz_settings, savepoint
from tests.graphql_client import gql, operation
from tests.people.helpers import CARMARTHENSHIRE, make_user, sign_in

# Around Carmarthen, plus points no county holds and ones out of range (refused items).
lats = st.one_of(st.floats(51.84, 51.87), st.sampled_from([51.4816, 95.0]))
lons = st.floats(-4.33, -4.29)
texts = st.text(st.characters(codec="utf-8", exclude_characters="\x00"), max_size=20)
# Content every rule accepts, for items that must be stored.
good_lats = st.floats(51.84, 51.87)
good_texts = st.text(st.characters(codec="ascii", categories=["L"]), min_size=1, max_size=20)


@st.composite
def assets(draw: st.DrawFn, _: str, good: bool = False) -> dict[str, Any]:
    return {
        "id": str(draw(st.uuids())),
        "category": draw(st.sampled_from(["ASSOCIATION", "PHYSICAL", "INDIVIDUAL"])),
        "nameEn": draw(good_texts if good else texts),
        "location": {
            "lat": draw(good_lats if good else lats),
            "lon": draw(lons),
            "accuracyM": 10.0,
        },
        "tags": draw(st.lists(texts, max_size=3)),
    }


@st.composite
def conversations(draw: st.DrawFn, campaign_id: str, good: bool = False) -> dict[str, Any]:
    return conversation_input(
        campaign_id,
        id=str(draw(st.uuids())),
        answers=[{"questionKey": "what_matters", "text": draw(good_texts if good else texts)}],
        location={"lat": draw(good_lats if good else lats), "lon": draw(lons)},
    )


@dataclass(frozen=True)
class Batches:
    operation: str
    field: str
    items: Callable[..., st.SearchStrategy[dict[str, Any]]]
    stored: TextClause  # what a send leaves behind: content only, never server times
    versioned: bool  # an item may be edited under its version (else it is written once)


DOMAINS = {
    "syncAssets": Batches(
        "SyncAssets",
        "syncAssets",
        assets,
        text(
            "SELECT a.id, a.version, a.fingerprint, a.name_en, a.tags, a.county_code,"
            " a.community_id, a.status, (SELECT array_agg(r.version || r.action ORDER BY"
            " r.version) FROM asset_revisions r WHERE r.asset_id = a.id),"
            " (SELECT count(*) FROM audit_log l WHERE l.entity_id = a.id::text)"
            " FROM assets a ORDER BY a.id"
        ),
        versioned=True,
    ),
    "recordConversations": Batches(
        "RecordConversations",
        "recordConversations",
        conversations,
        text(
            "SELECT c.id, c.fingerprint, c.answers, c.county_code, c.community_id,"
            " c.grid_ref, c.may_quote,"
            " (SELECT count(*) FROM audit_log l WHERE l.entity_id = c.id::text)"
            " FROM conversations c ORDER BY c.id"
        ),
        versioned=False,
    ),
}


@dataclass(frozen=True)
class Sender:
    """Someone who may send both kinds of batch in Carmarthenshire, sending one kind."""

    client: httpx.AsyncClient
    connection: AsyncConnection
    token: str
    campaign_id: str
    domain: Batches

    def items(self, good: bool = False) -> st.SearchStrategy[dict[str, Any]]:
        return self.domain.items(self.campaign_id, good)

    async def send(self, batch: list[dict[str, Any]]) -> list[dict[str, Any]]:
        body = await gql(
            self.client, operation(self.domain.operation), {"input": batch}, token=self.token
        )
        return body["data"][self.domain.field]["results"]

    async def stored(self) -> list[Any]:
        return [tuple(row) for row in await self.connection.execute(self.domain.stored)]


@pytest.fixture(params=DOMAINS)
async def sender(
    request: pytest.FixtureRequest,
    client: httpx.AsyncClient,
    connection: AsyncConnection,
    session: RequestSession,
) -> Sender:
    await make_user(
        session,
        "field@example.org",
        {Role.LEADER: {CARMARTHENSHIRE}, Role.COORDINATOR: ALL_COUNTIES},
    )
    token = (await sign_in(client, "field@example.org"))["accessToken"]
    campaign_id = (await create_campaign(client, token))["id"]
    return Sender(client, connection, token, campaign_id, DOMAINS[request.param])


@st.composite
def schedules(draw: st.DrawFn, batch_count: int) -> list[int]:
    """Every batch at least once, some again, in any order."""
    sends = list(range(batch_count)) + draw(st.lists(st.integers(0, batch_count - 1)))
    return draw(st.permutations(sends))


@fuzz_settings(examples=8, soak_examples=500)
@given(data=st.data())
async def test_replayed_and_interleaved_batches_leave_the_data_of_one_send(
    sender: Sender, data: st.DataObject
) -> None:
    batches = data.draw(
        st.lists(st.lists(sender.items(), min_size=1, max_size=4), min_size=1, max_size=3),
        label="batches",
    )
    schedule = data.draw(schedules(len(batches)), label="schedule")

    async with savepoint(sender.connection):
        first = [await sender.send(batch) for batch in batches]
        sent_once = await sender.stored()
        event(f"{len(sent_once)} stored, {len(schedule) - len(batches)} replays")

    async with savepoint(sender.connection):
        seen: set[int] = set()
        for index in schedule:
            results = await sender.send(batches[index])
            statuses = [r["status"] for r in results]
            expected = [r["status"] for r in first[index]]
            if index in seen:  # a replay: what was stored is now UNCHANGED; refused stays so
                expected = ["UNCHANGED" if s == "CREATED" else s for s in expected]
            assert statuses == expected, (index, results)
            assert set(statuses) <= {"CREATED", "UNCHANGED", "REJECTED"}
            seen.add(index)
        assert await sender.stored() == sent_once


def _differing(item: dict[str, Any], original: dict[str, Any]) -> dict[str, Any]:
    """`item` under the original's id, with content that cannot match what was stored
    there. An asset keeps the original's point: the point drawn for `item` may lie outside
    every county (a tidal river, say), and its refusal would hide the conflict under test."""
    if "answers" in item:
        answers = [{"questionKey": "what_matters", "text": "(other) " + item["answers"][0]["text"]}]
        return {**item, "id": original["id"], "answers": answers}
    return {
        **item,
        "id": original["id"],
        "nameEn": "(other) " + item["nameEn"],
        "location": original["location"],
    }


@fuzz_settings(examples=6, soak_examples=300)
@given(data=st.data())
async def test_other_content_under_a_taken_id_or_stale_version_is_a_conflict(
    sender: Sender, data: st.DataObject
) -> None:
    original = data.draw(sender.items(good=True), label="original")
    other = _differing(data.draw(sender.items(good=True), label="other"), original)
    async with savepoint(sender.connection):
        [created] = await sender.send([original])
        if created["status"] != "CREATED":
            event("original refused")
            return  # outside every county: nothing stored to conflict with
        if sender.domain.versioned:
            # An edit of version 1 makes version 2; another edit of version 1 is now stale.
            edited = {**original, "version": 1, "nameEn": original["nameEn"] + " (edited)"}
            [updated] = await sender.send([edited])
            assert updated["status"] == "UPDATED"
            other["version"] = 1
        before = await sender.stored()
        [answer] = await sender.send([other])
        assert answer["status"] == "CONFLICT", answer
        assert await sender.stored() == before
