"""Lists ordered for a reader of the language asked for: by the label in that language, or
by text of no language (people's names); Welsh in the Welsh alphabet's order.

The database's own collation (C.UTF-8 for the local clusters) orders by code point, which
files Llan... between La... and Lo...; the Welsh alphabet has ch after c, dd after d, ff
after f, ng after g, ll after l, ph after p, rh after r and th after t. ICU's Welsh
collation knows them: migration 0018 makes it as `welsh` (PostgreSQL built with ICU, as
Debian's is, has it)."""

from __future__ import annotations

from typing import Any

from sqlalchemy import func

from api.shared.language import Language

WELSH = "welsh"


def text_in(language: Language, text: Any) -> Any:
    """The SQL to order text of no language of its own (people's names) by, for a reader of
    `language`: in Welsh, the Welsh alphabet's order; in English, the database's."""
    return text if language is Language.EN else text.collate(WELSH)


def label_in(language: Language, en: Any, cy: Any) -> Any:
    """The SQL to order by: the label in `language` (Welsh falls back to English where
    there is none, as `pick` does), Welsh in Welsh order; English in the database's."""
    if language is Language.EN:
        return en
    return text_in(language, func.coalesce(func.nullif(cy, ""), en))
