"""Access tokens, refresh-token rotation and reuse, logout and `me`."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from sqlalchemy import update

from api.auth import tokens
from api.auth.principal import Role
from api.people.models import RefreshToken
from tests.graphql_client import error_codes, gql, operation
from tests.people.helpers import CEREDIGION, audit_actions, make_user, sign_in


async def _me(client, token: str) -> dict:
    return await gql(client, operation("Me"), token=token, expect_errors=True)


async def _refresh(client, refresh_token: str) -> dict:
    return await gql(
        client, operation("RefreshSession"), {"refreshToken": refresh_token}, expect_errors=True
    )


async def test_refresh_rotates_the_pair(client, session, settings):
    user = await make_user(session, "phone@example.org")
    first = await sign_in(client, "phone@example.org")

    body = await _refresh(client, first["refreshToken"])

    second = body["data"]["refreshSession"]
    assert second["user"]["id"] == str(user.id)
    assert second["refreshToken"] != first["refreshToken"]
    assert (await _me(client, second["accessToken"]))["data"]["me"]["id"] == str(user.id)
    # Same sign-in: the new pair belongs to the session the first login made.
    old = tokens.read_access_token(settings.jwt_secret, first["accessToken"])
    new = tokens.read_access_token(settings.jwt_secret, second["accessToken"])
    assert new.session_id == old.session_id
    # And the new refresh token rotates again.
    assert "errors" not in await _refresh(client, second["refreshToken"])


async def test_reusing_a_refresh_token_revokes_the_whole_family(client, session, settings):
    await make_user(session, "copied@example.org")
    first = await sign_in(client, "copied@example.org")
    second = (await _refresh(client, first["refreshToken"]))["data"]["refreshSession"]

    reused = await _refresh(client, first["refreshToken"])

    assert error_codes(reused) == ["UNAUTHENTICATED"]
    # The revocation was committed before the error: the newer tokens are dead too.
    assert error_codes(await _refresh(client, second["refreshToken"])) == ["UNAUTHENTICATED"]
    assert error_codes(await _me(client, second["accessToken"])) == ["UNAUTHENTICATED"]
    session_id = tokens.read_access_token(settings.jwt_secret, first["accessToken"]).session_id
    assert await audit_actions(session, "auth_session", session_id) == [
        "login.succeeded",
        "session.refreshed",
        "session.revoked",
    ]
    # Another sign-in of the same user is not affected.
    assert (await sign_in(client, "copied@example.org"))["accessToken"]


async def test_unknown_and_expired_refresh_tokens_are_refused(client, session):
    await make_user(session, "stale@example.org")
    signed_in = await sign_in(client, "stale@example.org")

    assert error_codes(await _refresh(client, tokens.new_refresh_token())) == ["UNAUTHENTICATED"]

    await session.execute(
        update(RefreshToken)
        .where(RefreshToken.token_hash == tokens.refresh_token_hash(signed_in["refreshToken"]))
        .values(expires_at=datetime.now(UTC) - timedelta(seconds=1))
    )
    await session.commit()
    assert error_codes(await _refresh(client, signed_in["refreshToken"])) == ["UNAUTHENTICATED"]


async def test_expired_forged_and_garbage_access_tokens_are_refused(client, session, settings):
    user = await make_user(session, "late@example.org")
    signed_in = await sign_in(client, "late@example.org")
    claims = tokens.read_access_token(settings.jwt_secret, signed_in["accessToken"])

    expired, _ = tokens.issue_access_token(
        settings.jwt_secret,
        user.id,
        claims.session_id,
        settings.access_token_ttl,
        now=datetime.now(UTC) - settings.access_token_ttl - timedelta(seconds=5),
    )
    forged, _ = tokens.issue_access_token(
        "another-secret-that-is-long-enough-for-hs256-xyz",
        user.id,
        claims.session_id,
        settings.access_token_ttl,
    )
    for token in (expired, forged, "not-a-jwt"):
        body = await _me(client, token)
        assert body["data"] is None
        assert error_codes(body) == ["UNAUTHENTICATED"]
    # The real one, for contrast.
    assert (await _me(client, signed_in["accessToken"]))["data"]["me"]["id"] == str(user.id)


async def test_role_and_token_refusals_are_in_the_request_language(client, session):
    await make_user(session, "arweinydd@example.org", {Role.LEADER: {CEREDIGION}})
    leader = (await sign_in(client, "arweinydd@example.org"))["accessToken"]
    for token, english, welsh in [
        (leader, "You need the ADMIN role to do this.", "Mae angen rôl ADMIN arnoch i wneud hyn."),
        (
            "not-a-jwt",
            "This access token is not valid: sign in again.",
            "Nid yw'r tocyn mynediad hwn yn ddilys: mewngofnodwch eto.",
        ),
    ]:
        bodies = [
            await gql(
                client, operation("Users"), token=token, language=language, expect_errors=True
            )
            for language in ("cy", None)
        ]
        assert [b["errors"][0]["message"] for b in bodies] == [welsh, english]
        assert error_codes(bodies[0]) == error_codes(bodies[1])


async def test_me_needs_a_signed_in_user(client):
    assert error_codes(await gql(client, operation("Me"), expect_errors=True)) == [
        "UNAUTHENTICATED"
    ]


async def test_logout_ends_access_and_refresh_tokens_at_once(client, session, settings):
    await make_user(session, "leaving@example.org")
    this_phone = await sign_in(client, "leaving@example.org")
    other_phone = await sign_in(client, "leaving@example.org")

    body = await gql(client, operation("Logout"), token=this_phone["accessToken"])

    assert body["data"]["logout"] is True
    assert error_codes(await _me(client, this_phone["accessToken"])) == ["UNAUTHENTICATED"]
    assert error_codes(await _refresh(client, this_phone["refreshToken"])) == ["UNAUTHENTICATED"]
    # Only this sign-in ended.
    assert "errors" not in await _me(client, other_phone["accessToken"])
    session_id = tokens.read_access_token(settings.jwt_secret, this_phone["accessToken"]).session_id
    assert await audit_actions(session, "auth_session", session_id) == [
        "login.succeeded",
        "session.revoked",
    ]


async def test_logout_needs_a_signed_in_user(client):
    body = await gql(client, operation("Logout"), expect_errors=True)
    assert error_codes(body) == ["UNAUTHENTICATED"]
