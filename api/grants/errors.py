"""Expected failures of the grants domain, each with its own code and a Welsh message."""

from __future__ import annotations

from api.errors import DomainError, Forbidden


class RuleBroken(DomainError):
    """A grants rule said no: returned to the client as a `userErrors` entry."""

    def __init__(self, code: str, en: str, cy: str, *, field: str | None = None) -> None:
        super().__init__(en, field=field, cy=cy)
        self.code = code


class NotAllowedHere(Forbidden):
    """A permission refusal with a more precise code than FORBIDDEN."""

    def __init__(self, code: str, en: str, cy: str) -> None:
        super().__init__(en, cy=cy)
        self.code = code


# Said both as a rule (before reviewing) and as a refusal (before seeing what a review needs).
DECLARE_FIRST = (
    "Declare whether you have a conflict of interest first.",
    "Datganwch yn gyntaf a oes gennych wrthdaro buddiannau.",
)


def too_long(values: dict[str, tuple[str | None, int]]) -> list[RuleBroken]:
    """A TOO_LONG error for each field ({field: (value, most characters)}) over its limit."""
    return [
        RuleBroken(
            "TOO_LONG",
            f"This can be at most {limit} characters.",
            f"Gall hwn fod yn {limit} nod ar y mwyaf.",
            field=name,
        )
        for name, (value, limit) in values.items()
        if value is not None and len(value) > limit
    ]
