"""setUserRoles: replacing grants, inside the caller's ADMIN scope, with versions."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select

from api.audit.models import AuditEntry
from api.auth.principal import ALL_COUNTIES, Role
from tests.graphql_client import error_codes, gql, operation, user_errors
from tests.people.helpers import (
    CARMARTHENSHIRE,
    CEREDIGION,
    PEMBROKESHIRE,
    admin_token,
    make_user,
    sign_in,
)


async def _set(client, token: str | None, user_id: Any, roles: list[dict], **more: Any) -> dict:
    return await gql(
        client,
        operation("SetUserRoles"),
        {"userId": str(user_id), "roles": roles, **more},
        token=token,
        expect_errors=True,
    )


async def test_an_admin_replaces_roles_and_the_change_is_audited(client, session):
    token = await admin_token(client, session)
    user = await make_user(session, "helper@example.org", {Role.LEADER: {CEREDIGION}})

    body = await _set(
        client,
        token,
        user.id,
        [
            {"role": "COORDINATOR", "countyCodes": [CARMARTHENSHIRE]},
            {"role": "LEADER", "countyCodes": [CEREDIGION]},
            {"role": "LEADER", "allCounties": True},  # merged: region-wide wins
        ],
        version=user.version,
    )

    payload = body["data"]["setUserRoles"]
    assert payload["userErrors"] == []
    assert payload["user"]["version"] == user.version + 1
    assert payload["user"]["roles"] == [
        {"role": "COORDINATOR", "allCounties": False, "countyCodes": [CARMARTHENSHIRE]},
        {"role": "LEADER", "allCounties": True, "countyCodes": []},
    ]
    entry = await session.scalar(
        select(AuditEntry).where(
            AuditEntry.entity_id == str(user.id), AuditEntry.action == "user.roles_changed"
        )
    )
    assert entry.changes == {
        "roles": {
            "before": [f"LEADER:{CEREDIGION}"],
            "after": [f"COORDINATOR:{CARMARTHENSHIRE}", "LEADER:*"],
        }
    }


async def test_new_roles_apply_to_tokens_already_given_out(client, session):
    token = await admin_token(client, session)
    user = await make_user(session, "promoted@example.org")
    their_token = (await sign_in(client, "promoted@example.org"))["accessToken"]
    users = operation("Users")
    assert error_codes(await gql(client, users, token=their_token, expect_errors=True)) == [
        "FORBIDDEN"
    ]

    await _set(client, token, user.id, [{"role": "ADMIN", "allCounties": True}])

    assert "errors" not in await gql(client, users, token=their_token)


async def test_a_stale_version_is_a_conflict_and_changes_nothing(client, session):
    token = await admin_token(client, session)
    user = await make_user(session, "twice@example.org", {Role.PANEL: ALL_COUNTIES})
    first = await _set(
        client,
        token,
        user.id,
        [{"role": "PANEL", "countyCodes": [CEREDIGION]}],
        version=user.version,
    )
    assert first["data"]["setUserRoles"]["userErrors"] == []

    stale = await _set(
        client, token, user.id, [{"role": "LEADER", "allCounties": True}], version=user.version
    )

    payload = stale["data"]["setUserRoles"]
    assert payload["user"] is None
    assert user_errors(payload) == [("version", "CONFLICT")]
    me = await gql(
        client, operation("Me"), token=(await sign_in(client, "twice@example.org"))["accessToken"]
    )
    assert me["data"]["me"]["roles"] == [
        {"role": "PANEL", "allCounties": False, "countyCodes": [CEREDIGION]}
    ]


async def test_unknown_user_and_unknown_county_are_user_errors(client, session):
    token = await admin_token(client, session)
    user = await make_user(session, "someone@example.org")

    unknown_user = await _set(
        client,
        token,
        "00000000-0000-0000-0000-00000000abcd",
        [{"role": "PANEL", "allCounties": True}],
    )
    unknown_county = await _set(
        client, token, user.id, [{"role": "PANEL", "countyCodes": ["E06000001"]}]
    )

    assert user_errors(unknown_user["data"]["setUserRoles"]) == [("userId", "NOT_FOUND")]
    assert [e["field"] for e in unknown_county["data"]["setUserRoles"]["userErrors"]] == [
        "roles.0.countyCodes"
    ]


async def test_only_admins_set_roles(client, session):
    user = await make_user(session, "someone@example.org")
    await make_user(session, "leader@example.org", {Role.LEADER: ALL_COUNTIES})
    leader = (await sign_in(client, "leader@example.org"))["accessToken"]
    roles = [{"role": "ADMIN", "allCounties": True}]

    assert error_codes(await _set(client, None, user.id, roles)) == ["UNAUTHENTICATED"]
    assert error_codes(await _set(client, leader, user.id, roles)) == ["FORBIDDEN"]
    # Not even for themself.
    leader_id = (await sign_in(client, "leader@example.org"))["user"]["id"]
    assert error_codes(await _set(client, leader, leader_id, roles)) == ["FORBIDDEN"]


async def test_a_county_admin_changes_grants_only_inside_their_counties(client, session):
    token = await admin_token(client, session, frozenset({CEREDIGION}))
    user = await make_user(session, "mixed@example.org", {Role.LEADER: {CEREDIGION, PEMBROKESHIRE}})
    keep_pembrokeshire = {"role": "LEADER", "countyCodes": [PEMBROKESHIRE]}

    # Inside: add and remove Ceredigion grants, leaving the Pembrokeshire one as it was.
    allowed = await _set(
        client,
        token,
        user.id,
        [
            keep_pembrokeshire,
            {"role": "ENGAGEMENT", "countyCodes": [CEREDIGION]},
        ],
    )
    assert allowed["data"]["setUserRoles"]["userErrors"] == []

    # Outside: removing the Pembrokeshire grant, adding a Carmarthenshire one, going region-wide,
    # or making themself a region-wide admin.
    for roles in (
        [{"role": "ENGAGEMENT", "countyCodes": [CEREDIGION]}],
        [keep_pembrokeshire, {"role": "PANEL", "countyCodes": [CARMARTHENSHIRE]}],
        [keep_pembrokeshire, {"role": "ENGAGEMENT", "allCounties": True}],
    ):
        assert error_codes(await _set(client, token, user.id, roles)) == ["FORBIDDEN"]
    me = (await sign_in(client, "admin@example.org"))["user"]
    assert error_codes(
        await _set(client, token, me["id"], [{"role": "ADMIN", "allCounties": True}])
    ) == ["FORBIDDEN"]

    after = await gql(
        client, operation("Me"), token=(await sign_in(client, "mixed@example.org"))["accessToken"]
    )
    assert after["data"]["me"]["roles"] == [
        {"role": "ENGAGEMENT", "allCounties": False, "countyCodes": [CEREDIGION]},
        {"role": "LEADER", "allCounties": False, "countyCodes": [PEMBROKESHIRE]},
    ]
