from __future__ import annotations

import strawberry


@strawberry.type
class Query:
    @strawberry.field
    def attribution(self) -> str:
        return ""
