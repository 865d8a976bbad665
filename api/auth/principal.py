"""Who is asking, and what they may do where. Services check permissions with this."""

from __future__ import annotations

import uuid
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from enum import Enum

from api.errors import Forbidden, Unauthenticated


class Role(Enum):
    ADMIN = "ADMIN"
    COORDINATOR = "COORDINATOR"
    ENGAGEMENT = "ENGAGEMENT"
    LEADER = "LEADER"
    PANEL = "PANEL"
    # People applying for micro-grants; their grant scope says which county they apply in.
    APPLICANT = "APPLICANT"


# A grant's county scope: a set of county codes, or ALL_COUNTIES for the whole region.
ALL_COUNTIES: None = None
Scope = frozenset[str] | None


def in_scope(scope: Scope, county_code: str | None) -> bool:
    """Whether a county is within a scope (ALL_COUNTIES: every county)."""
    return scope is ALL_COUNTIES or county_code in scope


@dataclass(frozen=True)
class Principal:
    user_id: uuid.UUID | None = None
    session_id: uuid.UUID | None = None
    grants: Mapping[Role, Scope] = field(default_factory=dict)

    @property
    def is_authenticated(self) -> bool:
        return self.user_id is not None

    def has(self, role: Role, county_code: str | None = None) -> bool:
        """Holds `role` in `county_code` (or, with no county, in at least one county)."""
        if role not in self.grants:
            return False
        return county_code is None or in_scope(self.grants[role], county_code)

    def has_any(self, roles: Iterable[Role], county_code: str | None = None) -> bool:
        return any(self.has(r, county_code) for r in roles)

    def covers(self, role: Role, counties: Scope) -> bool:
        """Holds `role` over every county in `counties` (ALL_COUNTIES needs a region-wide grant)."""
        if role not in self.grants:
            return False
        mine = self.grants[role]
        if mine is ALL_COUNTIES:
            return True
        return counties is not ALL_COUNTIES and counties <= mine

    def counties(self, roles: Iterable[Role]) -> Scope:
        """Every county where one of `roles` is held (ALL_COUNTIES: the whole region)."""
        found: set[str] = set()
        for role in roles:
            if role in self.grants:
                scope = self.grants[role]
                if scope is ALL_COUNTIES:
                    return ALL_COUNTIES
                found |= scope
        return frozenset(found)

    def covers_any(self, roles: Iterable[Role], counties: Scope) -> bool:
        """Holds one of `roles` over every county in `counties`."""
        return any(self.covers(role, counties) for role in roles)

    def require_user(self) -> uuid.UUID:
        if self.user_id is None:
            raise Unauthenticated("Sign in to do this.", cy="Mewngofnodwch i wneud hyn.")
        return self.user_id

    def require(self, roles: Iterable[Role], county_code: str | None = None) -> uuid.UUID:
        user_id = self.require_user()
        roles = tuple(roles)
        if not self.has_any(roles, county_code):
            values = [r.value for r in roles]
            where_en = f" in county {county_code}" if county_code else ""
            where_cy = f" yn sir {county_code}" if county_code else ""
            raise Forbidden(
                f"You need the {' or '.join(values)} role{where_en} to do this.",
                cy=f"Mae angen rôl {' neu '.join(values)}{where_cy} arnoch i wneud hyn.",
            )
        return user_id


ANONYMOUS = Principal()
