"""Signing in: the right answer, one answer for every wrong one, and throttling."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from sqlalchemy import func, select

from api.auth import tokens
from api.auth.principal import Role
from api.people import service
from api.people.models import LoginFailure
from tests.graphql_client import error_codes, gql, operation
from tests.people.helpers import (
    CEREDIGION,
    PASSWORD,
    SETUP_ADMIN,
    audit_actions,
    make_user,
    sign_in,
)

CLIENT_ADDRESS = "203.0.113.7"  # the test client's address (tests/conftest.py)


async def _login(client, email: str, password: str, language: str | None = None) -> dict:
    return await gql(
        client,
        operation("Login"),
        {"email": email, "password": password},
        language=language,
        expect_errors=True,
    )


async def _failures(session, email: str) -> int:
    return await session.scalar(
        select(func.count()).select_from(LoginFailure).where(LoginFailure.email == email)
    )


async def test_login_returns_tokens_and_the_user(client, session, settings):
    user = await make_user(session, "leader@example.org", {Role.LEADER: {CEREDIGION}})

    payload = await sign_in(client, "  Leader@Example.ORG ")

    assert payload["accessToken"] and payload["refreshToken"]
    expires_at = datetime.fromisoformat(payload["expiresAt"])
    assert timedelta(0) < expires_at - datetime.now(UTC) <= settings.access_token_ttl
    assert payload["user"]["id"] == str(user.id)
    assert payload["user"]["roles"] == [
        {"role": "LEADER", "allCounties": False, "countyCodes": [CEREDIGION]}
    ]
    me = await gql(client, operation("Me"), token=payload["accessToken"])
    assert me["data"]["me"]["email"] == "leader@example.org"
    assert me["data"]["me"]["preferredLanguage"] == "EN"
    assert me["data"]["me"]["active"] is True


async def test_success_is_audited_against_the_new_session(client, session, settings):
    user = await make_user(session, "someone@example.org")
    payload = await sign_in(client, "someone@example.org")

    claims = tokens.read_access_token(settings.jwt_secret, payload["accessToken"])
    assert claims.user_id == user.id
    assert await audit_actions(session, "auth_session", claims.session_id) == ["login.succeeded"]


async def test_wrong_password_and_unknown_email_get_the_same_answer(client, session):
    user = await make_user(session, "known@example.org")

    wrong_password = await _login(client, "known@example.org", "not the password at all")
    unknown_email = await _login(client, "nobody@example.org", PASSWORD)

    assert wrong_password["data"] is None and unknown_email["data"] is None
    assert error_codes(wrong_password) == error_codes(unknown_email) == ["UNAUTHENTICATED"]
    assert wrong_password["errors"][0]["message"] == unknown_email["errors"][0]["message"]
    # Both failures were committed despite the error, and audited.
    assert await _failures(session, "known@example.org") == 1
    assert await _failures(session, "nobody@example.org") == 1
    assert await audit_actions(session, "user", user.id) == ["user.created", "login.failed"]


async def test_a_wrong_password_is_refused_in_the_request_language(client, session):
    await make_user(session, "cymraes@example.org")
    welsh = await _login(client, "cymraes@example.org", "nid dyma'r cyfrinair", language="cy")
    english = await _login(client, "cymraes@example.org", "nid dyma'r cyfrinair")
    assert error_codes(welsh) == error_codes(english) == ["UNAUTHENTICATED"]
    assert welsh["errors"][0]["message"] == "Mae'r cyfeiriad e-bost neu'r cyfrinair yn anghywir."
    assert english["errors"][0]["message"] == "Wrong email or password."


async def test_too_many_failures_for_an_account_refuse_even_the_right_password(
    client, session, settings
):
    await make_user(session, "target@example.org")
    await make_user(session, "bystander@example.org")

    for _ in range(settings.login_max_failures_per_account):
        body = await _login(client, "target@example.org", "guess guess guess")
        assert error_codes(body) == ["UNAUTHENTICATED"]

    throttled = await _login(client, "target@example.org", PASSWORD)
    assert error_codes(throttled) == ["RATE_LIMITED"]
    # Refused attempts are not failures: the lock ends when the window passes.
    assert await _failures(session, "target@example.org") == (
        settings.login_max_failures_per_account
    )
    # Another account from the same address is not locked by it.
    assert (await sign_in(client, "bystander@example.org"))["accessToken"]


async def test_too_many_failures_from_one_address_refuse_every_account(client, session, settings):
    await make_user(session, "victim@example.org")
    now = datetime.now(UTC)
    session.add_all(
        LoginFailure(email=f"guess{i}@example.org", client_address=CLIENT_ADDRESS, at=now)
        for i in range(settings.login_max_failures_per_address - 1)
    )
    await session.commit()
    assert (await sign_in(client, "victim@example.org"))["accessToken"]

    # The last failure allowed, through the API...
    body = await _login(client, "someone-else@example.org", "guess guess guess")
    assert error_codes(body) == ["UNAUTHENTICATED"]

    # ...and now the right password for an untouched account is refused from this address.
    throttled = await _login(client, "victim@example.org", PASSWORD)
    assert error_codes(throttled) == ["RATE_LIMITED"]


async def test_failures_older_than_the_window_do_not_count(client, session, settings):
    await make_user(session, "returning@example.org")
    long_ago = datetime.now(UTC) - settings.login_failure_window - timedelta(minutes=1)
    session.add_all(
        LoginFailure(email="returning@example.org", client_address=CLIENT_ADDRESS, at=long_ago)
        for _ in range(settings.login_max_failures_per_address)
    )
    await session.commit()

    assert (await sign_in(client, "returning@example.org"))["accessToken"]


async def test_a_deactivated_user_cannot_sign_in(client, session):
    user = await make_user(session, "gone@example.org")
    await service.deactivate_user(session, SETUP_ADMIN, user.id)

    body = await _login(client, "gone@example.org", PASSWORD)
    unknown = await _login(client, "never@example.org", PASSWORD)
    assert error_codes(body) == ["UNAUTHENTICATED"]
    assert body["errors"][0]["message"] == unknown["errors"][0]["message"]
