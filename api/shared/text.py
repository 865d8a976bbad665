"""Checks on free text that several domains share."""

from __future__ import annotations

from api.errors import BadInput, DomainError


def required_text(value: str, field: str, limit: int, errors: list[DomainError]) -> str:
    """The text trimmed; a BadInput added to `errors` when it is empty or over `limit`."""
    value = value.strip()
    if not value or len(value) > limit:
        errors.append(
            BadInput(
                f"Write 1 to {limit} characters.",
                field=field,
                cy=f"Ysgrifennwch 1 i {limit} nod.",
            )
        )
    return value
