from __future__ import annotations

import strawberry


@strawberry.type
class Query:
    @strawberry.field
    def me(self) -> str | None:
        return None


@strawberry.type
class Mutation:
    @strawberry.field
    def logout(self) -> bool:
        return True
