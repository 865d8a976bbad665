"""Arranging campaigns, people and conversations for the conversations tests."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

import httpx
from sqlalchemy.ext.asyncio import AsyncSession

from api.auth.principal import ALL_COUNTIES, Role, Scope
from tests.graphql_client import gql, operation
from tests.people.helpers import CARMARTHENSHIRE, CEREDIGION, PEMBROKESHIRE, make_user, sign_in

# Town centres: each inside a community of its county.
CARMARTHEN = {"lat": 51.8573, "lon": -4.3121}
ABERYSTWYTH = {"lat": 52.4140, "lon": -4.0829}
HAVERFORDWEST = {"lat": 51.8015, "lon": -4.9690}
CARDIFF = {"lat": 51.4816, "lon": -3.1791}  # outside the region

QUESTIONS = [
    {
        "key": "what_matters",
        "type": "FREE_TEXT",
        "textEn": "What matters to you?",
        "textCy": "Beth sy'n bwysig i chi?",
        "required": True,
    },
    {
        "key": "healthy_happy_safe",
        "type": "FREE_TEXT",
        "textEn": "What makes you feel healthy, happy and safe?",
        "textCy": "Beth sy'n gwneud i chi deimlo'n iach, yn hapus ac yn ddiogel?",
    },
    {
        "key": "services",
        "type": "MULTIPLE_CHOICE",
        "textEn": "Which services do you use?",
        "choices": [
            {"key": "gp", "labelEn": "GP", "labelCy": "Meddyg teulu"},
            {"key": "library", "labelEn": "Library", "labelCy": "Llyfrgell"},
            {"key": "bus", "labelEn": "Bus", "labelCy": "Bws"},
        ],
    },
    {"key": "wellbeing", "type": "SCALE_1_5", "textEn": "How are you feeling today?"},
    {
        "key": "lived_here_long",
        "type": "SINGLE_CHOICE",
        "textEn": "Have you lived here more than five years?",
        "choices": [{"key": "yes", "labelEn": "Yes"}, {"key": "no", "labelEn": "No"}],
    },
]


@dataclass
class Person:
    id: uuid.UUID
    token: str


async def person(
    client: httpx.AsyncClient, session: AsyncSession, email: str, roles: dict[Role, Scope]
) -> Person:
    user = await make_user(session, email, roles)
    return Person(user.id, (await sign_in(client, email))["accessToken"])


async def coordinator(client: httpx.AsyncClient, session: AsyncSession) -> Person:
    return await person(
        client, session, "coordinator@example.org", {Role.COORDINATOR: ALL_COUNTIES}
    )


async def create_campaign(
    client: httpx.AsyncClient, token: str, **overrides: Any
) -> dict[str, Any]:
    body = await gql(
        client,
        operation("CreateCampaign"),
        {
            "input": {
                "nameEn": "10,000 Conversations",
                "nameCy": "10,000 o Sgyrsiau",
                "questions": QUESTIONS,
                **overrides,
            }
        },
        token=token,
    )
    payload = body["data"]["createCampaign"]
    assert payload["userErrors"] == []
    return payload["campaign"]


async def staffed_campaign(
    client: httpx.AsyncClient, session: AsyncSession, **overrides: Any
) -> tuple[Person, dict[str, Any]]:
    """A coordinator of every county, and a campaign they set up."""
    staff = await coordinator(client, session)
    return staff, await create_campaign(client, staff.token, **overrides)


def conversation(campaign_id: str, **overrides: Any) -> dict[str, Any]:
    """A valid ConversationInput held in Carmarthen, in English."""
    return {
        "id": str(uuid.uuid4()),
        "campaignId": campaign_id,
        "questionSetVersion": 1,
        "collectedAt": datetime(2026, 3, 2, 10, 30, tzinfo=UTC).isoformat(),
        "channel": "STREET",
        "language": "EN",
        "consent": {"store": True, "contact": False, "quote": True},
        "answers": [
            {"questionKey": "what_matters", "text": "My family and the park."},
            {"questionKey": "wellbeing", "scale": 4},
        ],
        "location": CARMARTHEN,
        **overrides,
    }


async def record(
    client: httpx.AsyncClient, token: str, items: list[dict[str, Any]], **kwargs: Any
) -> Any:
    body = await gql(
        client, operation("RecordConversations"), {"input": items}, token=token, **kwargs
    )
    if kwargs.get("expect_errors") and "errors" in body:
        return body
    return body["data"]["recordConversations"]["results"]


async def add_theme(client, token, campaign_id, key, **fields):
    body = await gql(
        client,
        operation("AddTheme"),
        {"campaignId": campaign_id, "input": {"key": key, "labelEn": key.title(), **fields}},
        token=token,
    )
    return body["data"]["addTheme"]


async def code(client, token, conversation_id, codings, **kwargs):
    body = await gql(
        client,
        operation("CodeConversation"),
        {"id": conversation_id, "codings": codings},
        token=token,
        **kwargs,
    )
    return body if "errors" in body else body["data"]["codeConversation"]


def on(theme, key="what_matters", excerpt=None):
    return {"themeId": theme["id"], "questionKey": key, "excerpt": excerpt}


__all__ = ["CARMARTHENSHIRE", "CEREDIGION", "PEMBROKESHIRE"]
