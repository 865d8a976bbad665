"""Spotting likely personal data in free text, for a coder to redact. It flags, it never
deletes: what people said is stored as they said it until a person decides."""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

PATTERNS: dict[str, re.Pattern[str]] = {
    "EMAIL": re.compile(r"[\w.+-]+@[\w-]+(?:\.[\w-]+)+"),
    # UK numbers: +44 or 0, then ten digits with optional spaces or dashes.
    "PHONE": re.compile(r"(?<!\w)(?:\+44\s?|0)\d(?:[\s-]?\d){8,9}(?!\d)"),
    "POSTCODE": re.compile(r"\b[A-Z]{1,2}\d[A-Z\d]?\s*\d[A-Z]{2}\b", re.IGNORECASE),
    # The name itself (one or two capitalised words) after the phrase, English or Welsh.
    "NAME": re.compile(
        r"(?i:\bmy name is|\bi'?m called|\bfy enw i yw|\bfy enw yw)\s+"
        r"([A-Z][\w'-]+(?:\s+[A-Z][\w'-]+)?)"
    ),
}
_DIGIT = re.compile(r"\d")


def _introduces(lower: str) -> bool:
    return "name is" in lower or "called" in lower or "fy enw" in lower


# What each pattern cannot match without, checked first: most answers have no digits, no @
# and no introduction, and these checks cost a fraction of the patterns' full scans (which
# cost more than the rest of a batch's checks together).
def _hints(text: str) -> dict[str, bool] | None:
    """Which patterns could match; None when none could (most answers)."""
    email = "@" in text
    digits = _DIGIT.search(text) is not None
    name = _introduces(text.lower())
    if not (email or digits or name):
        return None
    return {"EMAIL": email, "PHONE": digits, "POSTCODE": digits, "NAME": name}


@dataclass(frozen=True)
class Flag:
    kind: str
    start: int
    end: int

    def plain(self) -> dict[str, object]:
        return {"kind": self.kind, "start": self.start, "end": self.end}


def flags(text: str) -> list[Flag]:
    """Spans of `text` that look like personal data, in order of position."""
    hints = _hints(text)
    if hints is None:
        return []
    found = []
    for kind, pattern in PATTERNS.items():
        if not hints[kind]:
            continue
        for match in pattern.finditer(text):
            group = 1 if pattern.groups else 0
            found.append(Flag(kind, match.start(group), match.end(group)))
    return sorted(found, key=lambda f: (f.start, f.kind))


def flags_of(answers: dict[str, Any]) -> dict[str, list[dict[str, object]]]:
    """{question key: flagged spans} for the free-text answers that have any."""
    found = {}
    for key, value in answers.items():
        if isinstance(value, str) and (spans := flags(value)):
            found[key] = [f.plain() for f in spans]
    return found
