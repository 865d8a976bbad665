"""Withdrawal by reference code needs no account, so guessing codes is throttled per
address far below the general request limit."""

from __future__ import annotations

import httpx
from sqlalchemy import func, select

from api.conversations.models import Conversation
from tests.conversations.helpers import conversation, record, staffed_campaign
from tests.graphql_client import error_codes, operation


async def _withdraw(client, code):
    return await client.post(
        "/graphql",
        json={"query": operation("WithdrawConversation"), "variables": {"referenceCode": code}},
    )


async def _stored(session, made) -> int:
    return await session.scalar(
        select(func.count()).select_from(Conversation).where(Conversation.id == made["id"])
    )


async def test_guessing_reference_codes_is_throttled_per_address(
    app, client, session, settings
) -> None:
    staff, campaign = await staffed_campaign(client, session)
    [made] = await record(client, staff.token, [conversation(campaign["id"])])
    budget = settings.withdraw_limit_per_address
    assert budget < settings.rate_limit_per_address

    guesses = [await _withdraw(client, f"ACDEF-{n:05d}") for n in range(budget)]
    assert all(g.status_code == 200 and "errors" not in g.json() for g in guesses)
    # Over the budget, even the right code is refused and nothing is erased.
    refused = await _withdraw(client, made["referenceCode"])
    assert error_codes(refused.json()) == ["RATE_LIMITED"]
    assert refused.json()["data"] is None
    assert 1 <= int(refused.headers["retry-after"]) <= 60
    assert await _stored(session, made) == 1
    # Other work from the same address goes on.
    assert (await record(client, staff.token, [conversation(campaign["id"])]))[0]["status"] == (
        "CREATED"
    )

    # The budget is the address's own: someone else withdraws at once.
    elsewhere = httpx.ASGITransport(app=app, client=("198.51.100.23", 41000))
    async with httpx.AsyncClient(transport=elsewhere, base_url="http://testserver") as other:
        answer = await _withdraw(other, made["referenceCode"])
    assert "errors" not in answer.json()
    assert await _stored(session, made) == 0
