"""The lists an admin sends about roles are capped: one over is refused naming the field,
and nothing changes; a list at the cap is accepted."""

from __future__ import annotations

from sqlalchemy import func, select

from api.audit.models import AuditEntry
from api.auth.principal import Role
from api.people.service import ROLE_GRANTS_MAX
from api.shared.limits import COUNTY_CODES_MAX
from tests.graphql_client import gql, operation, refused_fields
from tests.people.helpers import CARMARTHENSHIRE, CEREDIGION, admin_token, make_user

LEADER = {"role": "LEADER", "countyCodes": [CEREDIGION]}


async def _audited(session) -> int:
    return await session.scalar(select(func.count()).select_from(AuditEntry))


async def _set_roles(client, token: str, user, roles: list[dict]) -> dict:
    variables = {"userId": str(user.id), "roles": roles}
    return await gql(client, operation("SetUserRoles"), variables, token=token, expect_errors=True)


async def test_set_user_roles_caps_the_grants_and_their_counties(client, session) -> None:
    token = await admin_token(client, session)
    user = await make_user(session, "helper@example.org", {Role.PANEL: {CARMARTHENSHIRE}})
    before = await _audited(session)
    codes = [CEREDIGION] * (COUNTY_CODES_MAX + 1)
    for roles, field in [
        ([LEADER] * (ROLE_GRANTS_MAX + 1), "roles"),
        ([{"role": "LEADER", "countyCodes": codes}], "roles.0.countyCodes"),
    ]:
        body = await _set_roles(client, token, user, roles)
        assert body["data"]["setUserRoles"]["user"] is None
        assert refused_fields(body) == {field}
    assert await _audited(session) == before

    at_cap = [{"role": "LEADER", "countyCodes": codes[:COUNTY_CODES_MAX]}] * ROLE_GRANTS_MAX
    body = await _set_roles(client, token, user, at_cap)
    assert body["data"]["setUserRoles"]["user"]["roles"] == [
        {"role": "LEADER", "allCounties": False, "countyCodes": [CEREDIGION]}
    ]


async def test_create_user_caps_the_grants(client, session) -> None:
    token = await admin_token(client, session)
    before = await _audited(session)
    new = {
        "email": "many@example.org",
        "displayName": "Many roles",
        "password": "a long enough password",
        "roles": [LEADER] * (ROLE_GRANTS_MAX + 1),
    }
    body = await gql(client, operation("CreateUser"), {"input": new}, token=token)
    assert body["data"]["createUser"]["user"] is None
    assert refused_fields(body) == {"roles"}
    assert await _audited(session) == before
