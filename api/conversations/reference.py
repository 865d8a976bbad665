"""Reference codes a respondent keeps to withdraw later: short, read over the phone or
copied from a card, so without characters people confuse (0/O, 1/I/L, 5/S, 2/Z, 8/B)."""

from __future__ import annotations

import secrets
import struct

ALPHABET = "34679ACDEFGHJKMNPQRTUVWXY"
# 25^10 ≈ 9.5e13 codes: at 200,000 conversations a fresh code collides about once in
# 500 million; the rare collision is retried, not trusted to luck.
LENGTH = 10
GROUP = 5


SPACE = len(ALPHABET) ** LENGTH
# Draws of 64 bits at or above this are thrown away, so every code is equally likely.
_UNBIASED = (1 << 64) - (1 << 64) % SPACE


def new_codes(n: int) -> list[str]:
    """`n` fresh codes from one read of the system's randomness (a batch of 500 reading it
    once per code spent more on the reads than on anything else it did per code)."""
    codes: list[str] = []
    while len(codes) < n:
        for (number,) in struct.iter_unpack("<Q", secrets.token_bytes(8 * (n - len(codes)))):
            if number < _UNBIASED:
                codes.append(_spelt(number % SPACE))
    return codes


def _spelt(number: int) -> str:
    """A number below SPACE in base 25, in the code's alphabet and groups."""
    raw = []
    for _ in range(LENGTH):
        number, digit = divmod(number, len(ALPHABET))
        raw.append(ALPHABET[digit])
    return f"{''.join(raw[:GROUP])}-{''.join(raw[GROUP:])}"


def normalise(code: str) -> str:
    """The stored form of what someone typed: upper case, grouped, separators ignored."""
    raw = "".join(ch for ch in code.upper() if ch.isalnum())
    return f"{raw[:GROUP]}-{raw[GROUP:]}" if len(raw) > GROUP else raw
