"""Welsh and English: which one a request prefers, and picking the right label."""

from __future__ import annotations

from enum import Enum

import strawberry


@strawberry.enum(description="A language the service speaks: Welsh (cy) or English (en).")
class Language(Enum):
    CY = "cy"
    EN = "en"


def preferred_language(accept_language: str | None) -> Language:
    """The best of cy/en for an Accept-Language header; English when neither is asked for."""
    best, best_q = Language.EN, 0.0
    for part in (accept_language or "").split(","):
        tag, _, params = part.strip().partition(";")
        q = 1.0
        if params.strip().startswith("q="):
            try:
                q = float(params.strip()[2:])
            except ValueError:
                q = 0.0
        primary = tag.strip().lower().split("-")[0]
        if primary in ("cy", "en") and q > best_q:
            best, best_q = Language(primary), q
    return best


def pick(language: Language, en: str | None, cy: str | None) -> str | None:
    """The label in `language`, falling back to the other one when it is missing."""
    first, second = (cy, en) if language is Language.CY else (en, cy)
    return first if first else second
