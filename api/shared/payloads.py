"""How a mutation answers: its payload presenting the service's result, or, when the input
was wrong in an expected way (nothing written), the same payload holding only `userErrors`.
Every domain's mutations of one thing answer through here; batches answer item by item
(`shared.batch`)."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any, TypeVar

from api.context import Info
from api.errors import DomainError, InvalidInput
from api.shared.user_errors import UserError

T = TypeVar("T")
P = TypeVar("P")
# What a payload answers with userErrors; anything else (permissions, a missing record) is a
# GraphQL error. A domain with rules of its own (grants) names more.
EXPECTED: tuple[type[DomainError], ...] = (InvalidInput,)


async def respond(
    payload: Callable[..., P],
    call: Callable[[], Awaitable[T]],
    *,
    expected: tuple[type[DomainError], ...] = EXPECTED,
    **present: Callable[[T], object],
) -> P:
    """Run a service call and answer with `payload`: each named field presenting the result
    (`respond(ThemePayload, call, theme=ThemeType.of)`), or, when the call failed as
    expected, only its `userErrors`."""
    try:
        found = await call()
    except expected as error:
        return payload(user_errors=UserError.all_of(error))
    return payload(**{name: show(found) for name, show in present.items()})


async def answer(
    info: Info,
    payload: Callable[..., P],
    service: Callable[..., Awaitable[T]],
    *args: Any,
    expected: tuple[type[DomainError], ...] = EXPECTED,
    **present: Callable[[T], object],
) -> P:
    """`service(session, principal, *args)` for the signed-in user, answered as `respond`
    answers. The principal is found first, outside `respond`: a sign-in failure is a GraphQL
    error, never a `userError`."""
    principal = await info.context.principal()
    return await respond(
        payload,
        lambda: service(info.context.session, principal, *args),
        expected=expected,
        **present,
    )
