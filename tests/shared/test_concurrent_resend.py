"""A phone's resend arriving while its own first send is still being written (on another
connection, not yet committed) is answered as a replay: nothing twice, nothing lost. The
same for every offline batch: assets and conversations."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from dataclasses import dataclass
from typing import Any

import httpx
import pytest
from sqlalchemy import event, func, select
from sqlalchemy.ext.asyncio import AsyncEngine

from api.app import create_app
from api.assets.models import Asset, AssetRevision
from api.auth.principal import ALL_COUNTIES, Role
from api.conversations.models import Conversation
from api.db import make_engine, make_sessionmaker
from api.migrations import upgrade
from api.places import service as places
from api.settings import Settings
from geodata.region import read_region
from tests.assets import helpers as assets
from tests.conversations import helpers as conversations
from tests.people.helpers import make_user, sign_in

Send = Callable[[httpx.AsyncClient, str, list[dict[str, Any]]], Awaitable[list[dict[str, Any]]]]


@dataclass
class Batch:
    """How one domain's phone batch is made, sent and counted."""

    make: Callable[[httpx.AsyncClient, str], Awaitable[Callable[[], dict[str, Any]]]]
    send: Send
    changed: str  # an input field whose other value is other content
    record: str  # the result field a replay answers with the stored record
    reads_stored: str  # in the statement that reads what is stored before writing
    stored: Any  # the table that must hold each item once


async def _asset_item(client: httpx.AsyncClient, token: str) -> Callable[[], dict[str, Any]]:
    return assets.item


async def _send_assets(client: httpx.AsyncClient, token: str, items: list[dict[str, Any]]) -> Any:
    return assets.results(await assets.sync(client, token, items))


async def _conversation(client: httpx.AsyncClient, token: str) -> Callable[[], dict[str, Any]]:
    campaign = await conversations.create_campaign(client, token)
    return lambda: conversations.conversation(campaign["id"])


BATCHES = {
    "assets": Batch(_asset_item, _send_assets, "nameEn", "asset", "FOR UPDATE", Asset),
    "conversations": Batch(
        _conversation, conversations.record, "language", "referenceCode", "UNION ALL", Conversation
    ),
}


@asynccontextmanager
async def _client(app: Any) -> AsyncIterator[httpx.AsyncClient]:
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as client:
        yield client


def _on_statement(engine: AsyncEngine, marker: str) -> asyncio.Event:
    """Set once a statement containing `marker` has run on the engine."""
    seen = asyncio.Event()

    def after(conn: Any, cursor: Any, statement: str, *args: Any) -> None:
        if marker in statement:
            seen.set()

    event.listen(engine.sync_engine, "after_cursor_execute", after)
    return seen


@pytest.mark.parametrize("name", list(BATCHES))
async def test_a_resend_racing_its_uncommitted_first_send_is_a_replay(
    name: str, scratch_url: str, settings: Settings
) -> None:
    batch = BATCHES[name]
    await asyncio.to_thread(upgrade, scratch_url)
    first_engine, resend_engine = make_engine(scratch_url), make_engine(scratch_url)
    async with make_sessionmaker(resend_engine)() as session:
        await places.load_region(session, read_region(settings.geodata_dir, settings.region))
        roles = {role: ALL_COUNTIES for role in (Role.LEADER, Role.ENGAGEMENT, Role.COORDINATOR)}
        await make_user(session, "staff@example.org", roles)
        await session.commit()

    try:
        async with (
            first_engine.connect() as held,
            _client(create_app(settings, make_sessionmaker(resend_engine))) as resend_client,
        ):
            token = (await sign_in(resend_client, "staff@example.org"))["accessToken"]
            make = await batch.make(resend_client, token)
            same, edited, fresh = make(), make(), make()
            other_content = {**edited, batch.changed: "CY"}
            # The first send is written on a connection whose transaction stays open.
            first_transaction = await held.begin()
            async with _client(create_app(settings, make_sessionmaker(held))) as first_client:
                first = await batch.send(first_client, token, [same, edited])
            assert [r["status"] for r in first] == ["CREATED", "CREATED"]

            # The resend reads what is stored before the first send commits, so it learns
            # of it only when it writes.
            has_read = _on_statement(resend_engine, batch.reads_stored)
            resend = asyncio.create_task(
                batch.send(resend_client, token, [same, other_content, fresh])
            )
            await has_read.wait()
            await first_transaction.commit()
            answered = await resend
        async with make_sessionmaker(resend_engine)() as session:
            stored = await session.scalar(select(func.count()).select_from(batch.stored))
            revisions = await session.scalar(select(func.count()).select_from(AssetRevision))
    finally:
        await first_engine.dispose()
        await resend_engine.dispose()

    # What a resend after the commit answers: the same content is UNCHANGED with the stored
    # record, other content under a taken id a CONFLICT.
    assert [r["status"] for r in answered] == ["UNCHANGED", "CONFLICT", "CREATED"]
    assert answered[0][batch.record] == first[0][batch.record]
    if batch.stored is Asset:  # the phone gets the stored copy to show beside its own
        assert answered[1]["serverCopy"]["nameEn"] == edited["nameEn"]
    assert stored == 3
    assert revisions == (3 if batch.stored is Asset else 0)
