"""GraphQL for this domain (not built yet)."""

from __future__ import annotations

import strawberry


@strawberry.type
class Query:
    pass


@strawberry.type
class Mutation:
    pass
