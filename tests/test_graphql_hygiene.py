"""Limits and error shapes every request goes through: codes, plain messages, no internals."""

from __future__ import annotations

import httpx
import orjson
import pytest
from graphql import parse

from api.places import service as places
from api.web.nul_text import nul_text_at
from tests.graphql_client import error_codes, gql, operation

LEAKS = ("Traceback", 'File "', "sqlalchemy", "asyncpg", "secret detail")


def _assert_no_leak(response: httpx.Response) -> None:
    for leak in LEAKS:
        assert leak not in response.text


async def _post(client: httpx.AsyncClient, query: str) -> httpx.Response:
    return await client.post("/graphql", json={"query": query})


@pytest.mark.parametrize(
    ("name", "query"),
    [
        ("malformed", "{ counties { code "),
        ("unknown field", "{ counties { code population } }"),
        ("unknown argument", "{ counties(first: 2) { code } }"),
        (
            "too deep",
            "{ counties { communities { edges { node { county { communities { edges { node {"
            " county { communities { edges { node { id } } } } } } } } } } } } }",
        ),
        ("too many aliases", "{ " + " ".join(f"a{i}: attribution" for i in range(16)) + " }"),
        ("too many tokens", "{ " + " ".join("attribution" for _ in range(2001)) + " }"),
    ],
)
async def test_bad_documents_are_bad_user_input(
    client: httpx.AsyncClient, name: str, query: str
) -> None:
    response = await _post(client, query)
    assert response.status_code < 500, name
    body = response.json()
    assert body["errors"], name
    assert set(error_codes(body)) == {"BAD_USER_INPUT"}, name
    _assert_no_leak(response)


async def test_wrong_variable_type_is_bad_user_input(client: httpx.AsyncClient) -> None:
    body = await gql(
        client,
        "query($lat: Float!) { placeAt(lat: $lat, lon: 1) { lsoa { code } } }",
        {"lat": "north"},
        expect_errors=True,
    )
    assert error_codes(body) == ["BAD_USER_INPUT"]


async def test_a_crashing_resolver_is_internal_and_says_nothing_inside(
    client: httpx.AsyncClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    async def crash(session: object) -> None:
        raise RuntimeError("secret detail: connection string postgres://x")

    monkeypatch.setattr(places, "counties", crash)
    response = await _post(client, "{ counties { code } }")
    assert response.status_code == 200
    [error] = response.json()["errors"]
    assert error["extensions"] == {"code": "INTERNAL"}
    assert response.headers["x-request-id"] in error["message"]
    _assert_no_leak(response)


async def test_body_that_is_not_json_is_a_400(client: httpx.AsyncClient) -> None:
    response = await client.post(
        "/graphql", content=b"{not json", headers={"content-type": "application/json"}
    )
    assert response.status_code == 400


async def test_a_number_json_cannot_carry_still_gets_an_error_naming_the_variable(
    client: httpx.AsyncClient,
) -> None:
    """Bodies are read with orjson, which refuses NaN; such a body still reaches GraphQL's
    checks (the standard library reads it) instead of being refused whole as not JSON."""
    response = await client.post(
        "/graphql",
        content=orjson.dumps({"query": operation("PlaceAt")})[:-1]
        + b', "variables": {"lat": NaN, "lon": -4.1}}',
        headers={"content-type": "application/json"},
    )
    assert response.status_code == 200
    [error] = response.json()["errors"]
    assert error["extensions"] == {"code": "BAD_USER_INPUT"}
    assert "$lat" in error["message"]


async def test_every_response_carries_a_request_id(client: httpx.AsyncClient) -> None:
    fresh = await client.get("/healthz")
    assert len(fresh.headers["x-request-id"]) == 32
    echoed = await client.get("/healthz", headers={"x-request-id": "phone-42.retry-1"})
    assert echoed.headers["x-request-id"] == "phone-42.retry-1"
    forged = await client.get("/healthz", headers={"x-request-id": "bad id\nINFO forged"})
    assert forged.headers["x-request-id"] != "bad id\nINFO forged"


async def test_a_repeated_document_is_validated_once(
    client: httpx.AsyncClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The limits must not defeat the validation cache (it keys on the rule classes)."""
    import strawberry.schema.schema as strawberry_schema

    real, calls = strawberry_schema.validate_document, []

    def counting(*args: object, **kwargs: object) -> object:
        calls.append(1)
        return real(*args, **kwargs)

    monkeypatch.setattr(strawberry_schema, "validate_document", counting)
    document = "{ counties { code } attribution }"
    for _ in range(3):
        await gql(client, document)
    assert len(calls) <= 1


@pytest.mark.parametrize(
    ("query", "variables", "field"),
    [
        ('{ county(code: "W06\\u0000") { code } }', {}, "code"),
        (
            "query($code: String) { assets(filter: {countyCode: $code}) { totalCount } }",
            {"code": "\x00"},
            "$code",
        ),
        (
            "mutation($input: [AssetInput!]!) { syncAssets(input: $input) { results { id } } }",
            {
                "input": [
                    {
                        "id": "00000000-0000-4000-8000-000000000001",
                        "category": "ASSOCIATION",
                        "nameEn": "Grŵp\x00",
                        "location": {"lat": 51.86, "lon": -4.31},
                    }
                ]
            },
            "$input[0].nameEn",
        ),
    ],
    ids=["literal", "variable", "nested"],
)
async def test_text_with_a_nul_character_is_bad_user_input_naming_it(
    client: httpx.AsyncClient, query: str, variables: dict[str, object], field: str
) -> None:
    """PostgreSQL cannot store NUL in text: refused before any resolver runs, naming where."""
    body = await gql(client, query, variables, expect_errors=True)
    assert error_codes(body) == ["BAD_USER_INPUT"]
    assert body["errors"][0]["extensions"]["field"] == field
    assert body["data"] is None


def test_nul_is_found_beside_values_json_cannot_write() -> None:
    """Variables are first written as JSON to see whether any NUL can be there; an upload
    (or an integer past 64 bits) cannot be written, and is then walked like the rest."""
    document = parse("query($file: Upload, $name: String) { attribution }")
    assert nul_text_at(document, {"file": object(), "name": "Ann\x00"}) == "$name"
    assert nul_text_at(document, {"file": 2**70, "name": "Ann\x00"}) == "$name"
    assert nul_text_at(document, {"file": object(), "name": "Ann"}) is None


def test_a_document_sent_again_is_judged_as_the_first_time() -> None:
    """What a document's literals hold is remembered per document: the same answer each
    time it is sent, and each other document walked for its own."""
    with_nul = parse('{ asset(id: "a\\u0000b") { id } }')
    assert nul_text_at(with_nul, None) == "id"
    assert nul_text_at(with_nul, None) == "id"
    for _ in range(3):
        assert nul_text_at(parse('{ asset(id: "ab") { id } }'), None) is None
        assert nul_text_at(parse('{ asset(id: "a\\u0000") { id } }'), None) == "id"


async def test_text_that_spells_out_a_nul_escape_is_not_refused(client: httpx.AsyncClient) -> None:
    # JSON writes NUL as \u0000; the same six characters typed as text are no NUL.
    body = await gql(
        client,
        "query($code: String) { assets(filter: {countyCode: $code}) { totalCount } }",
        {"code": "\\u0000"},
    )
    assert "errors" not in body
    assert body["data"]["assets"] is not None
