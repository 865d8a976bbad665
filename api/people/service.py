"""Rules of the people domain: accounts, signing in, sessions, roles and who may change them."""

from __future__ import annotations

import asyncio
import logging
import re
import secrets
import uuid
from collections.abc import Awaitable, Callable, Iterable, Sequence
from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy.ext.asyncio import AsyncSession

from api.audit import service as audit
from api.auth import passwords, tokens
from api.auth.principal import ALL_COUNTIES, ANONYMOUS, Principal, Role, Scope
from api.errors import (
    BadInput,
    Conflict,
    DomainError,
    Forbidden,
    InvalidInput,
    NotFound,
    RateLimited,
    Unauthenticated,
)
from api.people import repository
from api.people.models import User
from api.people.repository import GrantRow
from api.places import service as places
from api.settings import Settings
from api.shared import clock
from api.shared.language import Language
from api.shared.limits import COUNTY_CODES_MAX, over_caps
from api.shared.pagination import Page, PageRequest
from api.shared.versioning import check_version

log = logging.getLogger(__name__)

FIRST_ADMIN_EMAIL = "admin@localhost"
PASSWORD_MAX_LENGTH = 1024  # argon2 hashes anything, but a megabyte "password" is an attack

_EMAIL = re.compile(r"^[^@\s]+@[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?(?:\.[A-Za-z0-9-]+)*$")


@dataclass(frozen=True)
class Grant:
    """A role and where it applies: a set of county codes, or ALL_COUNTIES."""

    role: Role
    counties: Scope


@dataclass(frozen=True)
class GrantInput:
    role: Role
    county_codes: Sequence[str] = ()
    all_counties: bool = False


@dataclass(frozen=True)
class NewUser:
    email: str
    display_name: str
    password: str
    preferred_language: Language = Language.EN
    roles: Sequence[GrantInput] = field(default_factory=tuple)


@dataclass(frozen=True)
class Account:
    """A user with the grants they hold right after a change."""

    user: User
    grants: list[Grant]


@dataclass(frozen=True)
class SignIn:
    access_token: str
    refresh_token: str
    expires_at: datetime
    user: User


def _wrong_credentials() -> Unauthenticated:
    # One answer for an unknown email, a wrong password and a deactivated account, so it
    # never tells a stranger which addresses have accounts.
    return Unauthenticated(
        "Wrong email or password.", cy="Mae'r cyfeiriad e-bost neu'r cyfrinair yn anghywir."
    )


def _session_ended() -> Unauthenticated:
    return Unauthenticated(
        "Your sign-in has ended: sign in again.",
        cy="Mae eich sesiwn wedi dod i ben: mewngofnodwch eto.",
    )


def _refresh_refused() -> Unauthenticated:
    return Unauthenticated(
        "This refresh token is not valid any more: sign in again.",
        cy="Nid yw'r tocyn adnewyddu hwn yn ddilys mwyach: mewngofnodwch eto.",
    )


def _no_such_user() -> NotFound:
    return NotFound(
        "There is no user with this id.", field="userId", cy="Nid oes defnyddiwr â'r id hwn."
    )


def _email_taken() -> Conflict:
    return Conflict(
        "Another account already uses this email.",
        field="email",
        cy="Mae cyfrif arall eisoes yn defnyddio'r cyfeiriad e-bost hwn.",
    )


def not_an_email(field: str = "email") -> BadInput:
    return BadInput("This is not an email address.", field=field, cy="Nid cyfeiriad e-bost yw hwn.")


def normalise_email(email: str) -> str:
    return email.strip().lower()


def group_grants(rows: Iterable[GrantRow]) -> list[Grant]:
    """Stored rows (one per role and county, None = every county) as one Grant per role."""
    scopes: dict[Role, set[str] | None] = {}
    for role_name, county in rows:
        role = Role(role_name)
        if county is None:
            scopes[role] = ALL_COUNTIES
        elif role not in scopes:
            scopes[role] = {county}
        elif scopes[role] is not ALL_COUNTIES:
            scopes[role].add(county)
    order = list(Role)
    return [
        Grant(role, ALL_COUNTIES if scope is ALL_COUNTIES else frozenset(scope))
        for role, scope in sorted(scopes.items(), key=lambda item: order.index(item[0]))
    ]


def _label(row: GrantRow) -> str:
    return f"{row[0]}:{row[1] or '*'}"


# --- signing in ---------------------------------------------------------------------------


async def principal_for_token(session: AsyncSession, settings: Settings, token: str) -> Principal:
    """The Principal behind an access token, checked against the database in one statement:
    a deactivated user or a revoked sign-in is refused at once, whatever the token's expiry."""
    claims = tokens.read_access_token(_secret(settings), token)
    rows = await repository.principal_rows(session, claims.user_id, claims.session_id)
    if not rows:
        raise _session_ended()
    grants = group_grants((role, county) for role, county in rows if role is not None)
    return Principal(
        user_id=claims.user_id,
        session_id=claims.session_id,
        grants={g.role: g.counties for g in grants},
    )


async def principal_or_anonymous(
    session: AsyncSession, settings: Settings, token: str | None
) -> Principal:
    """No token: the anonymous public. A token: its user, or Unauthenticated."""
    return ANONYMOUS if token is None else await principal_for_token(session, settings, token)


async def login(
    session: AsyncSession, settings: Settings, *, email: str, password: str, client_address: str
) -> SignIn:
    """Sign in, starting a new session. At most `login_max_failures_per_account` failures per
    email and `login_max_failures_per_address` per client address are allowed within the
    window; after that every attempt (even a right one) is refused until the window passes."""
    now = clock.now()
    email = normalise_email(email)
    per_account, per_address = await repository.count_login_failures(
        session, email, client_address, now - settings.login_failure_window
    )
    if (
        per_account >= settings.login_max_failures_per_account
        or per_address >= settings.login_max_failures_per_address
    ):
        # Not recorded as a failure: otherwise a steady stream of guesses would keep the
        # account locked for ever.
        log.warning("sign-in throttled for %s from %s", email, client_address)
        minutes = max(1, int(settings.login_failure_window.total_seconds() // 60))
        raise RateLimited(
            f"Too many failed sign-ins. Wait {minutes} minutes, then try again.",
            cy=f"Gormod o ymdrechion aflwyddiannus i fewngofnodi. Arhoswch {minutes} munud, "
            "yna rhowch gynnig arall arni.",
        )

    user = await repository.user_by_email(session, email)
    # argon2 takes tens of milliseconds on purpose: off the event loop with it.
    right_password = await asyncio.to_thread(
        passwords.verify_password, user.password_hash if user else None, password
    )
    if user is None or not right_password or not user.active:
        reason = (
            "unknown_email"
            if user is None
            else "deactivated"
            if right_password
            else "wrong_password"
        )
        repository.add_login_failure(session, email, client_address, now)
        audit.record(
            session,
            actor_id=user.id if user else None,
            action="login.failed",
            entity_type="user",
            entity_id=user.id if user else None,
            after={"email": email, "client_address": client_address, "reason": reason},
        )
        # Committed before refusing: the request's session is rolled back after an error,
        # and an uncounted failure would not throttle anything.
        await session.commit()
        raise _wrong_credentials()

    if passwords.needs_rehash(user.password_hash):
        user.password_hash = await asyncio.to_thread(passwords.hash_password, password)
    auth_session = await repository.add_auth_session(session, user.id)
    signed_in = _issue(session, settings, user, auth_session.id, now)
    audit.record(
        session,
        actor_id=user.id,
        action="login.succeeded",
        entity_type="auth_session",
        entity_id=auth_session.id,
        after={"user_id": user.id, "client_address": client_address},
    )
    await session.commit()
    return signed_in


async def refresh_session(session: AsyncSession, settings: Settings, refresh_token: str) -> SignIn:
    """Swap a refresh token for a new pair in the same session. A token used a second time
    means it was copied: the whole session (every token of the family) is revoked."""
    now = clock.now()
    token_hash = tokens.refresh_token_hash(refresh_token)
    found = await repository.refresh_token_with_session(session, token_hash)
    if found is None:
        raise _refresh_refused()
    token, auth_session, user = found
    if auth_session.revoked_at is not None or not user.active or token.expires_at <= now:
        raise _refresh_refused()
    if token.used_at is not None or not await repository.mark_refresh_token_used(
        session, token_hash, now
    ):
        await _revoke(
            session,
            auth_session.id,
            actor_id=None,
            user_id=user.id,
            reason="refresh_token_reused",
            at=now,
        )
        # Committed before refusing, or the rollback after the error would undo it.
        await session.commit()
        raise _refresh_refused()
    signed_in = _issue(session, settings, user, auth_session.id, now)
    audit.record(
        session,
        actor_id=user.id,
        action="session.refreshed",
        entity_type="auth_session",
        entity_id=auth_session.id,
    )
    await session.commit()
    return signed_in


async def logout(session: AsyncSession, principal: Principal) -> None:
    """End the caller's session: its access and refresh tokens stop working at once."""
    user_id = principal.require_user()
    if principal.session_id is not None:
        await _revoke(
            session,
            principal.session_id,
            actor_id=user_id,
            user_id=user_id,
            reason="logout",
            at=clock.now(),
        )
    await session.commit()


def _issue(
    session: AsyncSession, settings: Settings, user: User, session_id: uuid.UUID, now: datetime
) -> SignIn:
    refresh_token = tokens.new_refresh_token()
    repository.add_refresh_token(
        session,
        tokens.refresh_token_hash(refresh_token),
        session_id,
        now + settings.refresh_token_ttl,
    )
    access_token, expires_at = tokens.issue_access_token(
        _secret(settings), user.id, session_id, settings.access_token_ttl, now=now
    )
    return SignIn(access_token, refresh_token, expires_at, user)


async def _revoke(
    session: AsyncSession,
    session_id: uuid.UUID,
    *,
    actor_id: uuid.UUID | None,
    user_id: uuid.UUID,
    reason: str,
    at: datetime,
) -> None:
    if await repository.revoke_session(session, session_id, at, reason):
        _audit_revoked(session, session_id, actor_id=actor_id, user_id=user_id, reason=reason)


def _audit_revoked(
    session: AsyncSession,
    session_id: uuid.UUID,
    *,
    actor_id: uuid.UUID | None,
    user_id: uuid.UUID,
    reason: str,
) -> None:
    audit.record(
        session,
        actor_id=actor_id,
        action="session.revoked",
        entity_type="auth_session",
        entity_id=session_id,
        after={"user_id": user_id, "reason": reason},
    )


def _secret(settings: Settings) -> str:
    if settings.jwt_secret is None:  # Settings fills it in development and refuses elsewhere
        raise RuntimeError("No JWT secret configured.")
    return settings.jwt_secret


# --- reading ------------------------------------------------------------------------------


async def me(session: AsyncSession, principal: Principal) -> User:
    user = await repository.user_by_id(session, principal.require_user())
    if user is None:
        raise _session_ended()
    return user


async def grants_of_users(
    session: AsyncSession, user_ids: Sequence[uuid.UUID]
) -> dict[uuid.UUID, list[Grant]]:
    """Every listed user's grants, in one statement (for the per-request DataLoader)."""
    rows = await repository.grants_of_users(session, user_ids)
    return {user_id: group_grants(rows.get(user_id, [])) for user_id in user_ids}


async def holders_of(
    session: AsyncSession, roles: Iterable[Role], counties: Scope
) -> dict[uuid.UUID, Scope]:
    """Active users holding one of `roles` in any of `counties` (ALL_COUNTIES: anywhere),
    each with where they hold them; one statement."""
    rows = await repository.active_grants_in(
        session, [r.value for r in roles], None if counties is ALL_COUNTIES else sorted(counties)
    )
    scopes: dict[uuid.UUID, set[str] | None] = {}
    for user_id, county in rows:
        if county is None:
            scopes[user_id] = ALL_COUNTIES
        elif scopes.get(user_id, set()) is not ALL_COUNTIES:
            scopes.setdefault(user_id, set()).add(county)
    return {
        user_id: ALL_COUNTIES if scope is ALL_COUNTIES else frozenset(scope)
        for user_id, scope in scopes.items()
    }


async def list_users(
    session: AsyncSession,
    principal: Principal,
    *,
    first: int | None,
    after: str | None,
    page_size_max: int,
    with_total: bool = False,
) -> Page[User]:
    """Every account, in email order (ADMIN only: admins need to find people to grant);
    with `with_total`, how many there are (one statement more)."""
    principal.require([Role.ADMIN])
    page = PageRequest.parse(first, after, page_size_max, key_types=(str,))
    users, has_next = await repository.users_page(
        session, page.limit, page.after[0] if page.after else None
    )
    total = await repository.count_users(session) if with_total else None
    return Page(rows=users, has_next=has_next, total=total)


def user_cursor_key(user: User) -> tuple[str]:
    return (user.email,)


# --- work other domains give people --------------------------------------------------------

# (session, user, actor): the user may now do less than before.
AccessLost = Callable[[AsyncSession, uuid.UUID, uuid.UUID], Awaitable[None]]
_access_lost: list[AccessLost] = []


def on_access_lost(listener: AccessLost) -> AccessLost:
    """Register what a domain above this one does when a user loses a grant or their
    account, so that work given to them is not left stuck (second codings, say). It runs
    in the transaction of the change, after it. People calls no domain above it by name:
    they register here, when imported."""
    if listener not in _access_lost:
        _access_lost.append(listener)
    return listener


async def _lost_access(session: AsyncSession, user_id: uuid.UUID, actor_id: uuid.UUID) -> None:
    await session.flush()  # the listeners read the user's grants and state as they now are
    for listener in _access_lost:
        await listener(session, user_id, actor_id)


# --- administration -----------------------------------------------------------------------


async def create_user(session: AsyncSession, principal: Principal, new: NewUser) -> Account:
    """An ADMIN creates an account with roles inside their own ADMIN scope."""
    admin_id = principal.require([Role.ADMIN])
    account = await _create_user(session, new, actor_id=admin_id, principal=principal)
    await session.commit()
    return account


async def set_user_roles(
    session: AsyncSession,
    principal: Principal,
    user_id: uuid.UUID,
    roles: Sequence[GrantInput],
    version: int | None = None,
) -> Account:
    """Replace a user's grants. Every grant added or removed must lie inside the caller's
    ADMIN scope; grants left as they were may lie outside it."""
    admin_id = principal.require([Role.ADMIN])
    wanted, errors = await _parse_grants(session, roles)
    user = await repository.user_by_id(session, user_id)
    if user is None:
        raise InvalidInput([*errors, _no_such_user()])
    if errors:
        raise InvalidInput(errors)
    try:
        check_version(user.version, version)
    except Conflict as conflict:
        raise InvalidInput([conflict]) from None

    current = set(await repository.grants_of(session, user.id))
    added, removed = wanted - current, current - wanted
    _require_admin_over(principal, added | removed)
    if not added and not removed:
        return Account(user, group_grants(current))
    await repository.remove_grants(session, user.id, removed)
    await repository.add_grants(session, user.id, added)
    user.updated_at = clock.now()  # the roles are part of the user: bump its version
    audit.record(
        session,
        actor_id=admin_id,
        action="user.roles_changed",
        entity_type="user",
        entity_id=user.id,
        before={"roles": [_label(r) for r in current]},
        after={"roles": [_label(r) for r in wanted]},
    )
    if removed:
        await _lost_access(session, user.id, admin_id)
    await session.commit()
    return Account(user, group_grants(wanted))


async def deactivate_user(session: AsyncSession, principal: Principal, user_id: uuid.UUID) -> User:
    """Switch an account off and end all its sessions. Allowed when every grant the user
    holds lies inside the caller's ADMIN scope; never on one's own account."""
    admin_id = principal.require([Role.ADMIN])
    user = await repository.user_by_id(session, user_id)
    if user is None:
        raise InvalidInput([_no_such_user()])
    if user.id == admin_id:
        raise Forbidden(
            "You cannot deactivate your own account: ask another admin.",
            cy="Ni allwch ddadactifadu eich cyfrif eich hun: gofynnwch i weinyddwr arall.",
        )
    _require_admin_over(principal, await repository.grants_of(session, user.id))
    if not user.active:
        return user
    now = clock.now()
    user.active = False
    user.deactivated_at = now
    user.updated_at = now
    revoked = await repository.revoke_sessions_of_user(session, user.id, now, "user_deactivated")
    audit.record(
        session,
        actor_id=admin_id,
        action="user.deactivated",
        entity_type="user",
        entity_id=user.id,
        before={"active": True},
        after={"active": False},
    )
    for session_id in revoked:
        _audit_revoked(
            session, session_id, actor_id=admin_id, user_id=user.id, reason="user_deactivated"
        )
    await _lost_access(session, user.id, admin_id)
    await session.commit()
    return user


async def ensure_first_admin(
    session: AsyncSession, email: str | None, password: str | None
) -> tuple[str, str] | None:
    """Make a region-wide ADMIN when no active one exists: (email, the generated password,
    or "" when `password` was given). None when there already is an admin."""
    if await repository.active_admin_exists(session):
        return None
    generated = secrets.token_urlsafe(18) if password is None else None
    account = await _create_user(
        session,
        NewUser(
            email=email or FIRST_ADMIN_EMAIL,
            display_name="Administrator",
            password=generated or password or "",
            roles=[GrantInput(Role.ADMIN, all_counties=True)],
        ),
        actor_id=None,
        principal=None,
    )
    await session.commit()
    return account.user.email, generated or ""


async def create_invited_user(
    session: AsyncSession,
    *,
    actor_id: uuid.UUID,
    email: str,
    display_name: str,
    grant: GrantInput,
) -> tuple[Account, str]:
    """An account made for someone invited by staff (the caller has checked the staff
    member may invite): a generated password, shown once, for them to sign in with. The
    caller commits, so the account and whatever it belongs to are written together."""
    password = secrets.token_urlsafe(18)
    account = await _create_user(
        session,
        NewUser(email=email, display_name=display_name, password=password, roles=[grant]),
        actor_id=actor_id,
        principal=None,
    )
    return account, password


async def _create_user(
    session: AsyncSession,
    new: NewUser,
    *,
    actor_id: uuid.UUID | None,
    principal: Principal | None,
) -> Account:
    """Check, insert, audit; the caller commits (with whatever else belongs to the same
    change). `principal` None: the system itself (first admin, invitations)."""
    errors: list[DomainError] = []
    email = normalise_email(new.email)
    if len(email) > 320 or not _EMAIL.match(email):
        errors.append(not_an_email())
    elif await repository.email_taken(session, email):
        errors.append(_email_taken())
    display_name = new.display_name.strip()
    if not display_name or len(display_name) > 200:
        errors.append(
            BadInput(
                "Give a name of 1 to 200 characters.",
                field="displayName",
                cy="Rhowch enw o 1 i 200 nod.",
            )
        )
    if len(new.password) < passwords.MIN_LENGTH:
        errors.append(
            BadInput(
                f"Use a password of at least {passwords.MIN_LENGTH} characters.",
                field="password",
                cy=f"Defnyddiwch gyfrinair o {passwords.MIN_LENGTH} nod o leiaf.",
            )
        )
    elif len(new.password) > PASSWORD_MAX_LENGTH:
        errors.append(
            BadInput(
                f"Use a password of at most {PASSWORD_MAX_LENGTH} characters.",
                field="password",
                cy=f"Defnyddiwch gyfrinair o {PASSWORD_MAX_LENGTH} nod ar y mwyaf.",
            )
        )
    grants, grant_errors = await _parse_grants(session, new.roles)
    errors += grant_errors
    if errors:
        raise InvalidInput(errors)
    if principal is not None:
        _require_admin_over(principal, grants)

    user = User(
        id=uuid.uuid4(),
        email=email,
        display_name=display_name,
        preferred_language=new.preferred_language.value,
        password_hash=await asyncio.to_thread(passwords.hash_password, new.password),
        active=True,
    )
    if not await repository.add_user(session, user, grants):
        # Another request took the email between the check and the insert.
        raise InvalidInput([_email_taken()])
    audit.record(
        session,
        actor_id=actor_id,
        action="user.created",
        entity_type="user",
        entity_id=user.id,
        after={
            "email": user.email,
            "display_name": user.display_name,
            "preferred_language": user.preferred_language,
            "roles": [_label(g) for g in grants],
        },
    )
    return Account(user, group_grants(grants))


# Role grants in one list: six roles, some given county by county in grants of their own.
ROLE_GRANTS_MAX = 20


async def _parse_grants(
    session: AsyncSession, roles: Sequence[GrantInput]
) -> tuple[set[GrantRow], list[DomainError]]:
    """Input grants as stored rows (the same role given twice is merged), and the problems."""
    errors = over_caps((roles, ROLE_GRANTS_MAX, "roles")) or over_caps(
        *((g.county_codes, COUNTY_CODES_MAX, f"roles.{i}.countyCodes") for i, g in enumerate(roles))
    )
    if errors:
        return set(), errors
    rows: set[GrantRow] = set()
    known: set[str] | None = None
    for i, grant in enumerate(roles):
        where = f"roles.{i}.countyCodes"
        codes = {c.strip() for c in grant.county_codes}
        if grant.all_counties:
            if codes:
                errors.append(
                    BadInput(
                        "Give county codes or allCounties, not both.",
                        field=where,
                        cy="Rhowch godau sir neu allCounties, nid y ddau.",
                    )
                )
            else:
                rows.add((grant.role.value, None))
            continue
        if not codes:
            errors.append(
                BadInput(
                    "Give at least one county code, or set allCounties.",
                    field=where,
                    cy="Rhowch o leiaf un cod sir, neu gosodwch allCounties.",
                )
            )
            continue
        if known is None:
            known = await places.county_codes(session)
        unknown = sorted(codes - known)
        if unknown:
            listed = ", ".join(unknown)
            errors.append(
                BadInput(
                    f"Unknown county code: {listed}.",
                    field=where,
                    cy=f"Cod sir anhysbys: {listed}.",
                )
            )
            continue
        rows.update((grant.role.value, code) for code in codes)
    # A region-wide grant already covers every county of that role.
    everywhere = {role for role, county in rows if county is None}
    rows = {(role, county) for role, county in rows if county is None or role not in everywhere}
    return rows, errors


def _require_admin_over(principal: Principal, grants: Iterable[GrantRow]) -> None:
    for role, county in grants:
        scope = ALL_COUNTIES if county is None else frozenset({county})
        if not principal.covers(Role.ADMIN, scope):
            where_en = "the whole region" if county is None else f"county {county}"
            where_cy = "y rhanbarth cyfan" if county is None else f"sir {county}"
            raise Forbidden(
                f"Only an admin for {where_en} can give or take away the {role} role there.",
                cy=f"Dim ond gweinyddwr {where_cy} sy'n gallu rhoi neu dynnu rôl {role} yno.",
            )
