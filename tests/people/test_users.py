"""The users list: ADMIN only, paged by cursor, a fixed number of statements."""

from __future__ import annotations

from api.auth.principal import ALL_COUNTIES, Role
from tests.graphql_client import error_codes, gql, operation
from tests.people.helpers import CEREDIGION, admin_token, make_user, sign_in


async def test_admins_page_through_users_in_email_order(client, session):
    token = await admin_token(client, session, frozenset({CEREDIGION}))
    for name in ("carys", "aled", "bethan"):
        await make_user(session, f"{name}@example.org", {Role.LEADER: {CEREDIGION}})

    first = (await gql(client, operation("Users"), {"first": 2}, token=token))["data"]["users"]
    rest = (
        await gql(
            client,
            operation("Users"),
            {"first": 2, "after": first["pageInfo"]["endCursor"]},
            token=token,
        )
    )["data"]["users"]

    assert first["totalCount"] == rest["totalCount"] == 4
    assert [e["node"]["email"] for e in first["edges"]] == [
        "admin@example.org",
        "aled@example.org",
    ]
    assert first["pageInfo"]["hasNextPage"] is True
    assert [e["node"]["email"] for e in rest["edges"]] == [
        "bethan@example.org",
        "carys@example.org",
    ]
    assert rest["pageInfo"]["hasNextPage"] is False
    assert rest["edges"][0]["node"]["roles"] == [
        {"role": "LEADER", "allCounties": False, "countyCodes": [CEREDIGION]}
    ]


async def test_only_admins_list_users(client, session):
    await make_user(session, "panel@example.org", {Role.PANEL: ALL_COUNTIES})
    panel = (await sign_in(client, "panel@example.org"))["accessToken"]

    anonymous = await gql(client, operation("Users"), expect_errors=True)
    not_admin = await gql(client, operation("Users"), token=panel, expect_errors=True)

    assert error_codes(anonymous) == ["UNAUTHENTICATED"]
    assert error_codes(not_admin) == ["FORBIDDEN"]


async def test_bad_paging_arguments_are_refused(client, session, settings):
    token = await admin_token(client, session)
    for variables in ({"first": settings.page_size_max + 1}, {"after": "not-a-cursor"}):
        body = await gql(client, operation("Users"), variables, token=token, expect_errors=True)
        assert error_codes(body) == ["BAD_USER_INPUT"]


async def test_listing_users_with_their_roles_takes_a_fixed_number_of_statements(
    client, session, count_statements
):
    token = await admin_token(client, session)

    async def statements_for_a_page() -> int:
        count_statements.statements.clear()
        body = await gql(client, operation("Users"), {"first": 50}, token=token)
        assert all(e["node"]["roles"] for e in body["data"]["users"]["edges"])
        return count_statements.count

    await make_user(session, "user1@example.org", {Role.LEADER: {CEREDIGION}})
    with_two = await statements_for_a_page()
    for i in range(2, 10):
        await make_user(session, f"user{i}@example.org", {Role.PANEL: ALL_COUNTIES})
    with_ten = await statements_for_a_page()

    assert with_two == with_ten
    # Who is asking, the page, the total and everyone's roles.
    assert with_ten <= 4, count_statements.statements

    # The total is counted only when asked for.
    count_statements.statements.clear()
    document = "{ users(first: 50) { edges { node { email } } } }"
    body = await gql(client, document, token=token)
    assert len(body["data"]["users"]["edges"]) == 10
    assert count_statements.count == with_ten - 2  # neither the total nor the roles
    assert not any("count(" in s for s in count_statements.statements)
