"""Every SQL statement of the people domain."""

from __future__ import annotations

import uuid
from collections.abc import Iterable, Sequence
from datetime import datetime

from sqlalchemy import Row, and_, delete, exists, func, insert, or_, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from api.people.models import (
    AuthSession,
    CommunityLeader,
    LeaderContact,
    LeaderSupport,
    LoginFailure,
    RefreshToken,
    RoleGrant,
    User,
)
from api.shared.label_order import text_in
from api.shared.language import Language

# One grant as stored: (role name, county code or None for every county).
GrantRow = tuple[str, str | None]


async def user_by_email(session: AsyncSession, email: str) -> User | None:
    return await session.scalar(select(User).where(User.email == email))


async def user_by_id(session: AsyncSession, user_id: uuid.UUID) -> User | None:
    return await session.scalar(select(User).where(User.id == user_id))


async def email_taken(session: AsyncSession, email: str) -> bool:
    return bool(await session.scalar(select(exists().where(User.email == email))))


async def add_user(session: AsyncSession, user: User, grants: Iterable[GrantRow]) -> bool:
    """Insert the user and their grants; False (and nothing written) if the email is taken."""
    try:
        async with session.begin_nested():
            session.add(user)
            await session.flush()
            await add_grants(session, user.id, grants)
    except IntegrityError:
        return False
    return True


async def add_grants(session: AsyncSession, user_id: uuid.UUID, grants: Iterable[GrantRow]) -> None:
    rows = [{"user_id": user_id, "role": role, "county_code": county} for role, county in grants]
    if rows:
        await session.execute(insert(RoleGrant), rows)


async def remove_grants(
    session: AsyncSession, user_id: uuid.UUID, grants: Iterable[GrantRow]
) -> None:
    grants = list(grants)
    if not grants:
        return
    # IS NOT DISTINCT FROM, because NULL (every county) is a grant like any other here.
    matches = [
        and_(RoleGrant.role == role, RoleGrant.county_code.is_not_distinct_from(county))
        for role, county in grants
    ]
    await session.execute(delete(RoleGrant).where(RoleGrant.user_id == user_id, or_(*matches)))


async def grants_of(session: AsyncSession, user_id: uuid.UUID) -> list[GrantRow]:
    return (await grants_of_users(session, [user_id])).get(user_id, [])


async def grants_of_users(
    session: AsyncSession, user_ids: Sequence[uuid.UUID]
) -> dict[uuid.UUID, list[GrantRow]]:
    rows = await session.execute(
        select(RoleGrant.user_id, RoleGrant.role, RoleGrant.county_code)
        .where(RoleGrant.user_id.in_(user_ids))
        .order_by(RoleGrant.user_id, RoleGrant.role, RoleGrant.county_code.nulls_first())
    )
    grouped: dict[uuid.UUID, list[GrantRow]] = {}
    for user_id, role, county in rows:
        grouped.setdefault(user_id, []).append((role, county))
    return grouped


async def active_grants_in(
    session: AsyncSession, roles: Sequence[str], county_codes: Sequence[str] | None
) -> list[tuple[uuid.UUID, str | None]]:
    """(user id, county or None for every county) of active users' grants of `roles` that
    reach any of `county_codes` (None: anywhere)."""
    query = (
        select(RoleGrant.user_id, RoleGrant.county_code)
        .join(User, User.id == RoleGrant.user_id)
        .where(User.active.is_(True), RoleGrant.role.in_(roles))
        .order_by(RoleGrant.user_id, RoleGrant.county_code.nulls_first())
    )
    if county_codes is not None:
        query = query.where(
            RoleGrant.county_code.is_(None) | RoleGrant.county_code.in_(county_codes)
        )
    return [(user_id, county) for user_id, county in (await session.execute(query)).all()]


async def active_admin_exists(session: AsyncSession) -> bool:
    return bool(
        await session.scalar(
            select(
                exists()
                .where(RoleGrant.role == "ADMIN", RoleGrant.user_id == User.id)
                .where(User.active.is_(True))
            )
        )
    )


async def users_page(
    session: AsyncSession, limit: int, after_email: str | None
) -> tuple[list[User], bool]:
    """Users in email order (emails are unique), `limit` of them after `after_email`."""
    query = select(User).order_by(User.email).limit(limit + 1)
    if after_email is not None:
        query = query.where(User.email > after_email)
    users = list((await session.scalars(query)).all())
    return users[:limit], len(users) > limit


async def count_users(session: AsyncSession) -> int:
    return int(await session.scalar(select(func.count()).select_from(User)) or 0)


async def principal_rows(
    session: AsyncSession, user_id: uuid.UUID, session_id: uuid.UUID
) -> Sequence[Row[tuple[str | None, str | None]]]:
    """The grants of an active user signed in through a live session, in one statement.

    No rows: the user is gone or deactivated, or the session was revoked. One row with a
    NULL role: signed in, holding no roles.
    """
    rows = await session.execute(
        select(RoleGrant.role, RoleGrant.county_code)
        .select_from(User)
        .join(AuthSession, AuthSession.user_id == User.id)
        .outerjoin(RoleGrant, RoleGrant.user_id == User.id)
        .where(
            User.id == user_id,
            User.active.is_(True),
            AuthSession.id == session_id,
            AuthSession.revoked_at.is_(None),
        )
    )
    return rows.all()


async def count_login_failures(
    session: AsyncSession, email: str, client_address: str, since: datetime
) -> tuple[int, int]:
    """(failures for this email, failures from this address) since `since`."""
    recent = LoginFailure.at >= since
    row = (
        await session.execute(
            select(
                select(func.count()).where(LoginFailure.email == email, recent).scalar_subquery(),
                select(func.count())
                .where(LoginFailure.client_address == client_address, recent)
                .scalar_subquery(),
            )
        )
    ).one()
    return int(row[0]), int(row[1])


def add_login_failure(session: AsyncSession, email: str, client_address: str, at: datetime) -> None:
    session.add(LoginFailure(email=email, client_address=client_address, at=at))


async def add_auth_session(session: AsyncSession, user_id: uuid.UUID) -> AuthSession:
    auth_session = AuthSession(user_id=user_id)
    session.add(auth_session)
    await session.flush()
    return auth_session


def add_refresh_token(
    session: AsyncSession, token_hash: bytes, session_id: uuid.UUID, expires_at: datetime
) -> None:
    session.add(RefreshToken(token_hash=token_hash, session_id=session_id, expires_at=expires_at))


async def refresh_token_with_session(
    session: AsyncSession, token_hash: bytes
) -> tuple[RefreshToken, AuthSession, User] | None:
    row = (
        await session.execute(
            select(RefreshToken, AuthSession, User)
            .join(AuthSession, AuthSession.id == RefreshToken.session_id)
            .join(User, User.id == AuthSession.user_id)
            .where(RefreshToken.token_hash == token_hash)
        )
    ).one_or_none()
    return None if row is None else (row[0], row[1], row[2])


async def mark_refresh_token_used(session: AsyncSession, token_hash: bytes, at: datetime) -> bool:
    """Use the token once. False if it was already used (a concurrent refresh won the race)."""
    used = await session.scalar(
        update(RefreshToken)
        .where(RefreshToken.token_hash == token_hash, RefreshToken.used_at.is_(None))
        .values(used_at=at)
        .returning(RefreshToken.token_hash)
        .execution_options(synchronize_session=False)
    )
    return used is not None


async def revoke_session(
    session: AsyncSession, session_id: uuid.UUID, at: datetime, reason: str
) -> bool:
    """Revoke one sign-in; False if it was already revoked."""
    revoked = await session.scalar(
        update(AuthSession)
        .where(AuthSession.id == session_id, AuthSession.revoked_at.is_(None))
        .values(revoked_at=at, revoked_reason=reason)
        .returning(AuthSession.id)
        .execution_options(synchronize_session=False)
    )
    return revoked is not None


async def revoke_sessions_of_user(
    session: AsyncSession, user_id: uuid.UUID, at: datetime, reason: str
) -> list[uuid.UUID]:
    """Revoke every live sign-in of the user; the ids of those revoked."""
    revoked = await session.scalars(
        update(AuthSession)
        .where(AuthSession.user_id == user_id, AuthSession.revoked_at.is_(None))
        .values(revoked_at=at, revoked_reason=reason)
        .returning(AuthSession.id)
        .execution_options(synchronize_session=False)
    )
    return list(revoked.all())


# --- community leaders -------------------------------------------------------------------


async def add_leader(
    session: AsyncSession, leader: CommunityLeader, contact: LeaderContact | None
) -> None:
    session.add(leader)
    if contact is not None:
        session.add(contact)
    await session.flush()


async def leader_by_id(session: AsyncSession, leader_id: uuid.UUID) -> CommunityLeader | None:
    return await session.get(CommunityLeader, leader_id)


async def leaders(
    session: AsyncSession,
    *,
    community_id: uuid.UUID | None,
    county_code: str | None,
    status: str | None,
    language: Language,
) -> list[CommunityLeader]:
    """By name, in the order a reader of `language` expects."""
    query = select(CommunityLeader).order_by(
        text_in(language, CommunityLeader.name), CommunityLeader.id
    )
    if community_id is not None:
        query = query.where(CommunityLeader.community_id == community_id)
    if county_code is not None:
        query = query.where(CommunityLeader.county_code == county_code)
    if status is not None:
        query = query.where(CommunityLeader.status == status)
    return list((await session.scalars(query)).all())


async def leader_contacts(
    session: AsyncSession, leader_ids: Sequence[uuid.UUID]
) -> dict[uuid.UUID, LeaderContact]:
    rows = await session.scalars(
        select(LeaderContact).where(LeaderContact.leader_id.in_(leader_ids))
    )
    return {c.leader_id: c for c in rows.all()}


def add_support(session: AsyncSession, support: LeaderSupport) -> None:
    session.add(support)


async def support_by_leader_and_kind(
    session: AsyncSession, county_code: str
) -> list[Row[tuple[uuid.UUID, str, int, float]]]:
    """(leader id, kind, times, hours) for every endorsed leader of the county."""
    rows = await session.execute(
        select(
            LeaderSupport.leader_id,
            LeaderSupport.kind,
            func.count(),
            func.sum(LeaderSupport.hours),
        )
        .join(CommunityLeader, CommunityLeader.id == LeaderSupport.leader_id)
        .where(CommunityLeader.county_code == county_code)
        .group_by(LeaderSupport.leader_id, LeaderSupport.kind)
        .order_by(LeaderSupport.leader_id, LeaderSupport.kind)
    )
    return list(rows.all())


async def endorsed_leader_counts(
    session: AsyncSession, community_ids: Sequence[uuid.UUID]
) -> dict[uuid.UUID, int]:
    rows = await session.execute(
        select(CommunityLeader.community_id, func.count())
        .where(
            CommunityLeader.community_id.in_(community_ids),
            CommunityLeader.status == "ENDORSED",
        )
        .group_by(CommunityLeader.community_id)
    )
    return {community_id: count for community_id, count in rows.all()}
