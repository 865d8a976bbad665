"""Making accounts straight through the service, and signing in through the API."""

from __future__ import annotations

import uuid
from collections.abc import Mapping
from typing import Any

import httpx
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from api.audit.models import AuditEntry
from api.auth.principal import ALL_COUNTIES, Principal, Role, Scope
from api.people import service
from api.people.models import User
from api.people.service import GrantInput, NewUser
from tests.graphql_client import gql, operation

CARMARTHENSHIRE = "W06000010"
CEREDIGION = "W06000008"
PEMBROKESHIRE = "W06000009"
PASSWORD = "correct horse battery staple"

# Stands in for whoever set the test up; only the audit log sees its id.
SETUP_ADMIN = Principal(user_id=uuid.UUID(int=1), grants={Role.ADMIN: ALL_COUNTIES})


async def make_user(
    session: AsyncSession,
    email: str,
    roles: Mapping[Role, Scope] | None = None,
    *,
    password: str = PASSWORD,
) -> User:
    """A user holding `roles` ({role: county codes, or ALL_COUNTIES})."""
    grants = [
        GrantInput(role, all_counties=True)
        if scope is ALL_COUNTIES
        else GrantInput(role, county_codes=tuple(scope))
        for role, scope in (roles or {}).items()
    ]
    account = await service.create_user(
        session,
        SETUP_ADMIN,
        NewUser(email=email, display_name=email.split("@")[0], password=password, roles=grants),
    )
    return account.user


async def sign_in(
    client: httpx.AsyncClient, email: str, password: str = PASSWORD
) -> dict[str, Any]:
    """The Login payload (accessToken, refreshToken, expiresAt, user)."""
    body = await gql(client, operation("Login"), {"email": email, "password": password})
    return body["data"]["login"]


async def admin_token(
    client: httpx.AsyncClient,
    session: AsyncSession,
    scope: Scope = ALL_COUNTIES,
    email: str = "admin@example.org",
) -> str:
    await make_user(session, email, {Role.ADMIN: scope})
    return (await sign_in(client, email))["accessToken"]


async def audit_actions(session: AsyncSession, entity_type: str, entity_id: object) -> list[str]:
    rows = await session.scalars(
        select(AuditEntry.action)
        .where(AuditEntry.entity_type == entity_type, AuditEntry.entity_id == str(entity_id))
        .order_by(AuditEntry.id)
    )
    return list(rows.all())
