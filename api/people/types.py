"""GraphQL for accounts: signing in and out, `me`, and the ADMIN's user management."""

from __future__ import annotations

import uuid
from datetime import datetime

import strawberry

from api.auth.principal import ALL_COUNTIES, Role
from api.context import Info
from api.people import service
from api.people.loaders import grants_loader
from api.people.models import User
from api.people.service import Account, Grant, GrantInput, NewUser, SignIn
from api.shared.language import Language
from api.shared.pagination import Connection, wants_total
from api.shared.payloads import answer
from api.shared.user_errors import UserError

strawberry.enum(Role, description="What a user may do, always within the counties of a grant.")


@strawberry.type(name="RoleGrant", description="A role and the counties it applies in.")
class RoleGrantType:
    role: Role
    all_counties: bool = strawberry.field(description="True: every county of the region.")
    county_codes: list[str] = strawberry.field(
        description="The counties (ONS codes); empty when allCounties is true."
    )

    @classmethod
    def of(cls, grant: Grant) -> RoleGrantType:
        everywhere = grant.counties is ALL_COUNTIES
        return cls(
            role=grant.role,
            all_counties=everywhere,
            county_codes=[] if grant.counties is None else sorted(grant.counties),
        )


@strawberry.type(name="User", description="An account.")
class UserType:
    id: uuid.UUID
    email: str
    display_name: str
    preferred_language: Language
    active: bool
    version: int
    created_at: datetime

    @strawberry.field(description="The user's roles, one entry per role.")
    async def roles(self, info: Info) -> list[RoleGrantType]:
        grants = await grants_loader(info.context).load(self.id)
        return [RoleGrantType.of(g) for g in grants]

    @classmethod
    def of(cls, user: User) -> UserType:
        return cls(
            id=user.id,
            email=user.email,
            display_name=user.display_name,
            preferred_language=Language(user.preferred_language),
            active=user.active,
            version=user.version,
            created_at=user.created_at,
        )


@strawberry.input(description="A role to grant: either some counties or allCounties.")
class RoleGrantInput:
    role: Role
    county_codes: list[str] = strawberry.field(default_factory=list)
    all_counties: bool = False

    def plain(self) -> GrantInput:
        return GrantInput(self.role, tuple(self.county_codes), self.all_counties)


@strawberry.input
class CreateUserInput:
    email: str
    display_name: str
    password: str
    preferred_language: Language = Language.EN
    roles: list[RoleGrantInput] = strawberry.field(default_factory=list)


@strawberry.type(
    description="A signed-in session: send accessToken as `Authorization: Bearer`, "
    "and swap refreshToken for a new pair before expiresAt."
)
class SignInPayload:
    access_token: str
    refresh_token: str
    expires_at: datetime = strawberry.field(description="When the access token expires.")
    user: UserType

    @classmethod
    def of(cls, signed_in: SignIn) -> SignInPayload:
        return cls(
            access_token=signed_in.access_token,
            refresh_token=signed_in.refresh_token,
            expires_at=signed_in.expires_at,
            user=UserType.of(signed_in.user),
        )


@strawberry.type
class UserPayload:
    """The changed user, or (nothing written) what was wrong with the input."""

    user: UserType | None = None
    user_errors: list[UserError] = strawberry.field(default_factory=list)


@strawberry.type
class CreateUserPayload(UserPayload):
    pass


@strawberry.type
class SetUserRolesPayload(UserPayload):
    pass


@strawberry.type
class DeactivateUserPayload(UserPayload):
    pass


def _account(info: Info, account: Account) -> UserType:
    # The grants just written are the ones to show, even if an earlier field of this
    # request loaded the old ones.
    grants_loader(info.context).prime(account.user.id, account.grants, force=True)
    return UserType.of(account.user)


@strawberry.type
class Query:
    @strawberry.field(description="The signed-in user.")
    async def me(self, info: Info) -> UserType:
        principal = await info.context.principal()
        return UserType.of(await service.me(info.context.session, principal))

    @strawberry.field(description="Every account, in email order (ADMIN only).")
    async def users(
        self, info: Info, first: int | None = None, after: str | None = None
    ) -> Connection[UserType]:
        page = await service.list_users(
            info.context.session,
            await info.context.principal(),
            first=first,
            after=after,
            page_size_max=info.context.settings.page_size_max,
            with_total=wants_total(info),
        )
        return Connection.of(page, key=service.user_cursor_key, node=UserType.of)


@strawberry.type
class Mutation:
    @strawberry.mutation(description="Sign in with email and password.")
    async def login(self, info: Info, email: str, password: str) -> SignInPayload:
        signed_in = await service.login(
            info.context.session,
            info.context.settings,
            email=email,
            password=password,
            client_address=info.context.client_address,
        )
        return SignInPayload.of(signed_in)

    @strawberry.mutation(description="Swap a refresh token (once only) for a new pair.")
    async def refresh_session(self, info: Info, refresh_token: str) -> SignInPayload:
        signed_in = await service.refresh_session(
            info.context.session, info.context.settings, refresh_token
        )
        return SignInPayload.of(signed_in)

    @strawberry.mutation(
        description="End this sign-in: its access and refresh tokens stop working at once."
    )
    async def logout(self, info: Info) -> bool:
        await service.logout(info.context.session, await info.context.principal())
        return True

    @strawberry.mutation(description="Create an account (ADMIN, within your counties).")
    async def create_user(self, info: Info, input: CreateUserInput) -> CreateUserPayload:
        new = NewUser(
            email=input.email,
            display_name=input.display_name,
            password=input.password,
            preferred_language=input.preferred_language,
            roles=[r.plain() for r in input.roles],
        )
        return await answer(
            info,
            CreateUserPayload,
            service.create_user,
            new,
            user=lambda account: _account(info, account),
        )

    @strawberry.mutation(
        description="Replace a user's roles (ADMIN, within your counties). "
        "Give `version` to refuse the change if the user changed."
    )
    async def set_user_roles(
        self,
        info: Info,
        user_id: uuid.UUID,
        roles: list[RoleGrantInput],
        version: int | None = None,
    ) -> SetUserRolesPayload:
        return await answer(
            info,
            SetUserRolesPayload,
            service.set_user_roles,
            user_id,
            [r.plain() for r in roles],
            version,
            user=lambda account: _account(info, account),
        )

    @strawberry.mutation(description="Switch an account off and end all its sessions (ADMIN).")
    async def deactivate_user(self, info: Info, user_id: uuid.UUID) -> DeactivateUserPayload:
        return await answer(
            info,
            DeactivateUserPayload,
            service.deactivate_user,
            user_id,
            user=UserType.of,
        )
