"""The Welsh alphabet's order, worked out here independently of the database, for tests
of lists ordered in Welsh: a b c ch d dd e f ff g ng h i j l ll m n o p ph r rh s t th u
w y, with k, q, v, x and z (in names that fall back to English) where Latin puts them.
Digraphs are read greedily, as ICU's Welsh collation reads them; case and accents are
ignored; a space sorts before a hyphen, a hyphen before an apostrophe, other marks after
those, and all of them before any letter."""

from __future__ import annotations

import unicodedata

LETTERS = "a b c ch d dd e f ff g ng h i j k l ll m n o p ph q r rh s t th u v w x y z".split()
_RANK = {letter: n for n, letter in enumerate(LETTERS, start=10)}
_DIGRAPHS = {letter for letter in LETTERS if len(letter) == 2}
_MARKS = {" ": 0, "-": 1, "'": 2}


def welsh_order(name: str) -> tuple[int, ...]:
    """A sort key putting names in Welsh alphabetical order (ties: equal in Welsh)."""
    plain = "".join(
        c for c in unicodedata.normalize("NFD", name.lower()) if not unicodedata.combining(c)
    )
    key, at = [], 0
    while at < len(plain):
        pair = plain[at : at + 2]
        if pair in _DIGRAPHS:
            key.append(_RANK[pair])
            at += 2
            continue
        key.append(_RANK.get(plain[at], _MARKS.get(plain[at], 5)))
        at += 1
    return tuple(key)
