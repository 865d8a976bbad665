"""A mutation answers with its payload, or with only userErrors for the failures it expects;
any other failure stays a GraphQL error."""

from dataclasses import dataclass, field
from types import SimpleNamespace
from typing import Any

import pytest

from api.errors import BadInput, Conflict, InvalidInput, Unauthenticated
from api.shared.payloads import answer, respond
from api.shared.user_errors import UserError


@dataclass
class Payload:
    name: str | None = None
    length: int | None = None
    user_errors: list[UserError] = field(default_factory=list)


async def test_the_result_is_presented_field_by_field() -> None:
    async def call() -> str:
        return "Llanelli"

    answered = await respond(Payload, call, name=str.upper, length=len)
    assert answered == Payload(name="LLANELLI", length=8)


async def test_expected_failures_answer_with_every_user_error_and_nothing_else() -> None:
    problems = [BadInput("Too long.", field="nameEn"), BadInput("Unknown.", field="setCode")]

    async def call() -> str:
        raise InvalidInput(problems)

    answered = await respond(Payload, call, name=str.upper)
    assert answered.name is None
    assert [(e.field, e.error) for e in answered.user_errors] == [
        ("nameEn", problems[0]),
        ("setCode", problems[1]),
    ]


async def test_other_failures_are_not_user_errors_unless_named() -> None:
    async def call() -> str:
        raise Conflict("Changed meanwhile.", field="version")

    with pytest.raises(Conflict):
        await respond(Payload, call, name=str.upper)
    answered = await respond(Payload, call, expected=(InvalidInput, Conflict), name=str.upper)
    assert [e.code for e in answered.user_errors] == ["CONFLICT"]


def _info(principal: Any) -> Any:
    """What `answer` reads of a resolver's info: the request's session and its principal."""

    async def find_principal() -> Any:
        if isinstance(principal, Exception):
            raise principal
        return principal

    return SimpleNamespace(context=SimpleNamespace(session="session", principal=find_principal))


async def test_answer_calls_the_service_for_the_signed_in_user() -> None:
    seen: list[tuple[Any, ...]] = []

    async def service(session: Any, principal: Any, *args: Any) -> str:
        seen.append((session, principal, *args))
        return "Aberteifi"

    answered = await answer(_info("mair"), Payload, service, 1, "two", name=str.upper)
    assert answered == Payload(name="ABERTEIFI")
    assert seen == [("session", "mair", 1, "two")]


async def test_answer_leaves_a_sign_in_failure_a_graphql_error_even_when_expected() -> None:
    async def service(session: Any, principal: Any) -> str:
        raise AssertionError("the service runs only for a known principal")

    refused = Unauthenticated("Sign in first.")
    with pytest.raises(Unauthenticated):
        await answer(
            _info(refused), Payload, service, expected=(InvalidInput, Unauthenticated), name=str
        )


async def test_answer_forwards_what_is_expected() -> None:
    async def service(session: Any, principal: Any) -> str:
        raise Conflict("Changed meanwhile.", field="version")

    answered = await answer(_info("mair"), Payload, service, expected=(Conflict,), name=str)
    assert [e.field for e in answered.user_errors] == ["version"]
