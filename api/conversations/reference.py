"""Reference codes a respondent keeps to withdraw later: short, read over the phone or
copied from a card, so without characters people confuse (0/O, 1/I/L, 5/S, 2/Z, 8/B)."""

from __future__ import annotations

import secrets

ALPHABET = "34679ACDEFGHJKMNPQRTUVWXY"
# 25^10 ≈ 9.5e13 codes: at 200,000 conversations a fresh code collides about once in
# 500 million; the rare collision is retried, not trusted to luck.
LENGTH = 10
GROUP = 5


def new_code() -> str:
    # One draw from the system's randomness, written in base 25 (cheaper than ten draws).
    number = secrets.randbelow(len(ALPHABET) ** LENGTH)
    raw = []
    for _ in range(LENGTH):
        number, digit = divmod(number, len(ALPHABET))
        raw.append(ALPHABET[digit])
    return f"{''.join(raw[:GROUP])}-{''.join(raw[GROUP:])}"


def normalise(code: str) -> str:
    """The stored form of what someone typed: upper case, grouped, separators ignored."""
    raw = "".join(ch for ch in code.upper() if ch.isalnum())
    return f"{raw[:GROUP]}-{raw[GROUP:]}" if len(raw) > GROUP else raw
