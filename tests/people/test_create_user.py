"""createUser: who may, in which counties, and what bad input looks like."""

from __future__ import annotations

from typing import Any

from sqlalchemy import func, select

from api.audit.models import AuditEntry
from api.auth.principal import Role
from api.people.models import RoleGrant, User
from tests.graphql_client import error_codes, gql, operation, user_errors
from tests.people.helpers import (
    CARMARTHENSHIRE,
    CEREDIGION,
    PEMBROKESHIRE,
    admin_token,
    audit_actions,
    make_user,
    sign_in,
)


def _input(**overrides: Any) -> dict[str, Any]:
    fields = {
        "email": "new.person@example.org",
        "displayName": "New Person",
        "password": "a long enough password",
        "preferredLanguage": "CY",
        "roles": [{"role": "LEADER", "countyCodes": [CEREDIGION]}],
    }
    return {**fields, **overrides}


async def _create(client, token: str | None, **overrides: Any) -> dict:
    return await gql(
        client,
        operation("CreateUser"),
        {"input": _input(**overrides)},
        token=token,
        expect_errors=True,
    )


async def _counts(session) -> tuple[int, int, int]:
    return (
        await session.scalar(select(func.count()).select_from(User)),
        await session.scalar(select(func.count()).select_from(RoleGrant)),
        await session.scalar(
            select(func.count()).select_from(AuditEntry).where(AuditEntry.action == "user.created")
        ),
    )


async def test_a_region_wide_admin_creates_a_user_who_can_sign_in(client, session):
    token = await admin_token(client, session)

    body = await _create(
        client,
        token,
        email="New.Person@Example.org",
        roles=[
            {"role": "LEADER", "countyCodes": [PEMBROKESHIRE, CEREDIGION]},
            {"role": "PANEL", "allCounties": True},
        ],
    )

    payload = body["data"]["createUser"]
    assert payload["userErrors"] == []
    user = payload["user"]
    assert user["email"] == "new.person@example.org"
    assert user["preferredLanguage"] == "CY"
    assert user["active"] is True
    assert user["roles"] == [
        {"role": "LEADER", "allCounties": False, "countyCodes": [CEREDIGION, PEMBROKESHIRE]},
        {"role": "PANEL", "allCounties": True, "countyCodes": []},
    ]
    assert await audit_actions(session, "user", user["id"]) == ["user.created"]
    entry = await session.scalar(select(AuditEntry).where(AuditEntry.entity_id == user["id"]))
    assert entry.changes["roles"]["after"] == [
        f"LEADER:{CEREDIGION}",
        f"LEADER:{PEMBROKESHIRE}",
        "PANEL:*",
    ]
    assert "password" not in str(entry.changes)
    signed_in = await sign_in(client, "new.person@example.org", "a long enough password")
    assert signed_in["user"]["roles"] == user["roles"]


async def test_only_admins_create_users(client, session):
    before = await _counts(session)
    anonymous = await _create(client, None)
    await make_user(session, "coordinator@example.org", {Role.COORDINATOR: None})
    coordinator = (await sign_in(client, "coordinator@example.org"))["accessToken"]
    after_setup = await _counts(session)

    not_admin = await _create(client, coordinator)

    assert error_codes(anonymous) == ["UNAUTHENTICATED"]
    assert error_codes(not_admin) == ["FORBIDDEN"]
    assert anonymous["data"] is None and not_admin["data"] is None
    assert after_setup[0] == before[0] + 1
    assert await _counts(session) == after_setup


async def test_a_county_admin_grants_only_inside_their_counties(client, session):
    token = await admin_token(client, session, frozenset({CEREDIGION}))

    inside = await _create(
        client,
        token,
        roles=[
            {"role": "ENGAGEMENT", "countyCodes": [CEREDIGION]},
            {"role": "ADMIN", "countyCodes": [CEREDIGION]},
        ],
    )
    other_county = await _create(
        client,
        token,
        email="b@example.org",
        roles=[
            {"role": "LEADER", "countyCodes": [CEREDIGION, PEMBROKESHIRE]},
        ],
    )
    region_wide = await _create(
        client,
        token,
        email="c@example.org",
        roles=[
            {"role": "LEADER", "allCounties": True},
        ],
    )
    no_roles = await _create(client, token, email="d@example.org", roles=[])

    assert inside["data"]["createUser"]["userErrors"] == []
    assert error_codes(other_county) == ["FORBIDDEN"]
    assert error_codes(region_wide) == ["FORBIDDEN"]
    assert "errors" not in no_roles
    emails = set((await session.scalars(select(User.email))).all())
    assert "b@example.org" not in emails and "c@example.org" not in emails


async def test_bad_input_names_the_fields_and_writes_nothing(client, session):
    token = await admin_token(client, session)
    await make_user(session, "taken@example.org")
    before = await _counts(session)

    cases = {
        "email": {"email": "not an email"},
        "password": {"password": "short"},
        "displayName": {"displayName": "   "},
        "roles.0.countyCodes": {"roles": [{"role": "LEADER", "countyCodes": ["W06000999"]}]},
    }
    for field, overrides in cases.items():
        payload = (await _create(client, token, **overrides))["data"]["createUser"]
        assert payload["user"] is None
        assert [e["field"] for e in payload["userErrors"]] == [field], payload

    duplicate = (await _create(client, token, email="TAKEN@example.org"))["data"]["createUser"]
    assert user_errors(duplicate) == [("email", "CONFLICT")]

    unclear_scope = (
        await _create(
            client,
            token,
            roles=[
                {"role": "LEADER"},
                {"role": "PANEL", "allCounties": True, "countyCodes": [CARMARTHENSHIRE]},
            ],
        )
    )["data"]["createUser"]
    assert [e["field"] for e in unclear_scope["userErrors"]] == [
        "roles.0.countyCodes",
        "roles.1.countyCodes",
    ]

    several = (await _create(client, token, email="x", password="short"))["data"]["createUser"]
    assert [e["field"] for e in several["userErrors"]] == ["email", "password"]
    assert all(e["code"] == "BAD_USER_INPUT" and e["message"] for e in several["userErrors"])

    assert await _counts(session) == before
