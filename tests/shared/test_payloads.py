"""A mutation answers with its payload, or with only userErrors for the failures it expects;
any other failure stays a GraphQL error."""

from dataclasses import dataclass, field

import pytest

from api.errors import BadInput, Conflict, InvalidInput
from api.shared.payloads import respond
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
