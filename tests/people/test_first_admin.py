"""ensure_first_admin: the bootstrap account the CLI makes on a fresh database."""

from __future__ import annotations

import pytest

from api.auth.principal import ALL_COUNTIES, Role
from api.errors import InvalidInput
from api.people import service
from tests.people.helpers import SETUP_ADMIN, audit_actions, make_user, sign_in


async def test_makes_a_region_wide_admin_with_a_generated_password_once(client, session):
    made = await service.ensure_first_admin(session, None, None)

    assert made is not None
    email, password = made
    assert email == service.FIRST_ADMIN_EMAIL
    assert len(password) >= 12
    signed_in = await sign_in(client, email, password)
    assert signed_in["user"]["roles"] == [{"role": "ADMIN", "allCounties": True, "countyCodes": []}]
    assert await audit_actions(session, "user", signed_in["user"]["id"]) == ["user.created"]

    assert await service.ensure_first_admin(session, None, None) is None


async def test_uses_the_given_email_and_password(client, session):
    made = await service.ensure_first_admin(session, "Boss@Example.org", "a given long password")

    assert made == ("boss@example.org", "")
    assert (await sign_in(client, "boss@example.org", "a given long password"))["accessToken"]


async def test_does_nothing_when_an_active_admin_exists(session):
    await make_user(session, "county-admin@example.org", {Role.ADMIN: {"W06000008"}})

    assert await service.ensure_first_admin(session, None, None) is None


async def test_a_deactivated_admin_does_not_count(session):
    old = await make_user(session, "old-admin@example.org", {Role.ADMIN: ALL_COUNTIES})
    await service.deactivate_user(session, SETUP_ADMIN, old.id)

    assert await service.ensure_first_admin(session, None, None) is not None


async def test_refuses_a_short_password(session):
    with pytest.raises(InvalidInput) as refused:
        await service.ensure_first_admin(session, None, "short")
    assert [e.field for e in refused.value.errors] == ["password"]
