"""Query cost limits: estimated from the document and its variables, refused before running,
and the validation cache still answers a repeated document."""

from __future__ import annotations

from typing import Any

import httpx
import pytest
import strawberry.schema.schema as strawberry_schema
from sqlalchemy.ext.asyncio import AsyncConnection

from api.app import create_app
from api.db import make_sessionmaker
from api.settings import Settings
from tests.conftest import StatementCounter
from tests.graphql_client import OPERATIONS, error_codes, gql

# Every county's communities, and for each its county's communities again: a short
# document (well inside the depth, token and alias limits) asking for a vast answer.
NESTED = """
query Nested($first: Int) {
  counties {
    communities(first: $first) {
      edges {
        node { lsoas { code } county { communities(first: $first) { edges { node { id } } } } }
      }
    }
  }
}
"""


async def test_every_registered_operation_is_within_the_default_cost(
    client: httpx.AsyncClient,
) -> None:
    # Without variables every page is counted at its largest: the worst case each can ask.
    names = sorted(p.stem for p in OPERATIONS.glob("*.graphql"))
    costly = []
    for name in names:
        body = await gql(client, (OPERATIONS / f"{name}.graphql").read_text(), expect_errors=True)
        if "QUERY_TOO_COSTLY" in error_codes(body):
            costly.append(name)
    assert len(names) > 50
    assert costly == []


async def test_a_deeply_nested_query_is_refused_before_it_runs(
    client: httpx.AsyncClient, count_statements: StatementCounter
) -> None:
    body = await gql(client, NESTED, expect_errors=True)
    assert body["data"] is None
    assert error_codes(body) == ["QUERY_TOO_COSTLY"]
    assert "at most 100,000" in body["errors"][0]["message"]
    assert count_statements.count == 0
    welsh = await gql(client, NESTED, language="cy", expect_errors=True)
    assert "ar y mwyaf" in welsh["errors"][0]["message"]


async def test_the_cost_follows_the_variables_and_the_document_is_validated_once(
    client: httpx.AsyncClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    validations = []
    validate = strawberry_schema.validate

    def counting(*args: Any, **kwargs: Any) -> Any:
        validations.append(args[1])
        return validate(*args, **kwargs)

    monkeypatch.setattr(strawberry_schema, "validate", counting)
    document = NESTED.replace("query Nested", "query NestedOnce")  # not cached before
    small = await gql(client, document, {"first": 2})
    large = await gql(client, document, {"first": 50}, expect_errors=True)
    again = await gql(client, document, {"first": 2})
    assert len(small["data"]["counties"]) == 3
    assert error_codes(large) == ["QUERY_TOO_COSTLY"]
    assert again == small
    assert len(validations) == 1


async def test_the_limit_is_a_setting(settings: Settings, connection: AsyncConnection) -> None:
    tight = settings.model_copy(update={"query_max_cost": 50})
    app = create_app(tight, make_sessionmaker(connection))
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as client:
        few = await gql(client, "{ communities(first: 5) { edges { node { id } } } }")
        many = await gql(
            client, "{ communities(first: 30) { edges { node { id } } } }", expect_errors=True
        )
    assert len(few["data"]["communities"]["edges"]) == 5
    assert error_codes(many) == ["QUERY_TOO_COSTLY"]
