"""Short-lived JWT access tokens and opaque refresh tokens (only their hash is stored)."""

from __future__ import annotations

import hashlib
import secrets
import uuid
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

import jwt

from api.errors import Unauthenticated

ALGORITHM = "HS256"


@dataclass(frozen=True)
class AccessClaims:
    user_id: uuid.UUID
    session_id: uuid.UUID


def issue_access_token(
    secret: str,
    user_id: uuid.UUID,
    session_id: uuid.UUID,
    ttl: timedelta,
    now: datetime | None = None,
) -> tuple[str, datetime]:
    issued = now or datetime.now(UTC)
    expires = issued + ttl
    token = jwt.encode(
        # jti: two sign-ins in the same second still get different tokens.
        {
            "sub": str(user_id),
            "sid": str(session_id),
            "iat": issued,
            "exp": expires,
            "jti": secrets.token_urlsafe(12),
        },
        secret,
        algorithm=ALGORITHM,
    )
    return token, expires


def read_access_token(secret: str, token: str) -> AccessClaims:
    try:
        claims = jwt.decode(
            token, secret, algorithms=[ALGORITHM], options={"require": ["exp", "sub", "sid"]}
        )
        return AccessClaims(uuid.UUID(claims["sub"]), uuid.UUID(claims["sid"]))
    except jwt.ExpiredSignatureError:
        raise Unauthenticated(
            "Your session has expired: refresh it or sign in again.",
            cy="Mae eich sesiwn wedi dod i ben: adnewyddwch hi neu mewngofnodwch eto.",
        ) from None
    except (jwt.InvalidTokenError, ValueError):
        raise Unauthenticated(
            "This access token is not valid: sign in again.",
            cy="Nid yw'r tocyn mynediad hwn yn ddilys: mewngofnodwch eto.",
        ) from None


def new_refresh_token() -> str:
    return secrets.token_urlsafe(32)


def refresh_token_hash(token: str) -> bytes:
    return hashlib.sha256(token.encode()).digest()


def bearer_token(header: str | None) -> str | None:
    """The token of an `Authorization: Bearer ...` header, if there is one."""
    if not header:
        return None
    scheme, _, token = header.partition(" ")
    return token.strip() if scheme.lower() == "bearer" and token.strip() else None
