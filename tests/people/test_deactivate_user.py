"""deactivateUser: tokens die at once, sign-in is refused, and who may do it."""

from __future__ import annotations

from typing import Any

from api.auth import tokens
from api.auth.principal import ALL_COUNTIES, Role
from tests.graphql_client import error_codes, gql, operation, user_errors
from tests.people.helpers import (
    CEREDIGION,
    PASSWORD,
    PEMBROKESHIRE,
    admin_token,
    audit_actions,
    make_user,
    sign_in,
)


async def _deactivate(client, token: str | None, user_id: Any) -> dict:
    return await gql(
        client,
        operation("DeactivateUser"),
        {"userId": str(user_id)},
        token=token,
        expect_errors=True,
    )


async def test_deactivation_ends_every_session_at_once_and_blocks_sign_in(
    client, session, settings
):
    token = await admin_token(client, session)
    user = await make_user(session, "leaver@example.org", {Role.LEADER: {CEREDIGION}})
    phone = await sign_in(client, "leaver@example.org")
    laptop = await sign_in(client, "leaver@example.org")

    body = await _deactivate(client, token, user.id)

    payload = body["data"]["deactivateUser"]
    assert payload["userErrors"] == []
    assert payload["user"]["active"] is False
    assert payload["user"]["version"] == user.version + 1
    for signed_in in (phone, laptop):
        me = await gql(client, operation("Me"), token=signed_in["accessToken"], expect_errors=True)
        assert error_codes(me) == ["UNAUTHENTICATED"]
        refreshed = await gql(
            client,
            operation("RefreshSession"),
            {"refreshToken": signed_in["refreshToken"]},
            expect_errors=True,
        )
        assert error_codes(refreshed) == ["UNAUTHENTICATED"]
        session_id = tokens.read_access_token(settings.jwt_secret, signed_in["accessToken"])
        assert await audit_actions(session, "auth_session", session_id.session_id) == [
            "login.succeeded",
            "session.revoked",
        ]
    login = await gql(
        client,
        operation("Login"),
        {"email": "leaver@example.org", "password": PASSWORD},
        expect_errors=True,
    )
    assert error_codes(login) == ["UNAUTHENTICATED"]
    assert await audit_actions(session, "user", user.id) == [
        "user.created",
        "user.deactivated",
        "login.failed",
    ]

    again = await _deactivate(client, token, user.id)
    assert again["data"]["deactivateUser"]["user"]["active"] is False
    assert await audit_actions(session, "user", user.id) == [
        "user.created",
        "user.deactivated",
        "login.failed",
    ]


async def test_an_admin_cannot_deactivate_themself(client, session):
    token = await admin_token(client, session)
    me = await gql(client, operation("Me"), token=token)

    body = await _deactivate(client, token, me["data"]["me"]["id"])

    assert error_codes(body) == ["FORBIDDEN"]
    assert "errors" not in await gql(client, operation("Me"), token=token)


async def test_only_admins_deactivate(client, session):
    user = await make_user(session, "someone@example.org")
    await make_user(session, "coordinator@example.org", {Role.COORDINATOR: ALL_COUNTIES})
    coordinator = (await sign_in(client, "coordinator@example.org"))["accessToken"]

    assert error_codes(await _deactivate(client, None, user.id)) == ["UNAUTHENTICATED"]
    assert error_codes(await _deactivate(client, coordinator, user.id)) == ["FORBIDDEN"]
    assert (await sign_in(client, "someone@example.org"))["accessToken"]


async def test_a_county_admin_deactivates_only_users_wholly_inside_their_counties(client, session):
    token = await admin_token(client, session, frozenset({CEREDIGION}))
    local = await make_user(session, "local@example.org", {Role.LEADER: {CEREDIGION}})
    spanning = await make_user(
        session, "spanning@example.org", {Role.LEADER: {CEREDIGION, PEMBROKESHIRE}}
    )
    regional = await make_user(session, "regional@example.org", {Role.ADMIN: ALL_COUNTIES})

    assert (await _deactivate(client, token, local.id))["data"]["deactivateUser"][
        "userErrors"
    ] == []
    assert error_codes(await _deactivate(client, token, spanning.id)) == ["FORBIDDEN"]
    assert error_codes(await _deactivate(client, token, regional.id)) == ["FORBIDDEN"]
    assert (await sign_in(client, "spanning@example.org"))["user"]["active"] is True


async def test_an_unknown_user_is_a_user_error(client, session):
    token = await admin_token(client, session)

    body = await _deactivate(client, token, "00000000-0000-0000-0000-00000000abcd")

    payload = body["data"]["deactivateUser"]
    assert payload["user"] is None
    assert user_errors(payload) == [("userId", "NOT_FOUND")]
