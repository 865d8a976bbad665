"""The DateTime scalar reads what Strawberry's own reads, the same way."""

from __future__ import annotations

import orjson
import pytest
from dateutil.parser import isoparse

from api.shared.datetimes import parse_datetime

READ = [
    "2026-01-05T10:00:00Z",
    "2026-01-05T10:00:00+00:00",
    "2026-01-05T10:00:00.5+01:00",
    "2026-01-05T10:00:00.123456789Z",
    "2026-01-05T10:00:00-05:30",
    "2026-01-05T10:00:00+0100",
    "2026-01-05T10:00:00,5Z",
    "2026-01-05",
    "2026-01-05T10:00",
    "20260105T100000Z",
    "2026-W01-1T10:00Z",
    "2026-01-05T24:00:00Z",
]
REFUSED = ["2026-1-5T10:00Z", "2026-01-05T10:00:00+00:00:30", "2026-01-05T10:00:00Z ", "soon"]


@pytest.mark.parametrize("text", READ)
def test_reads_as_isoparse_does(text: str) -> None:
    parsed = parse_datetime(text)
    assert parsed == isoparse(text)
    assert parsed.utcoffset() == isoparse(text).utcoffset()
    # Replays are recognised by a hash of the content written as JSON: it must not move.
    assert orjson.dumps(parsed) == orjson.dumps(isoparse(text))


@pytest.mark.parametrize("text", REFUSED)
def test_refuses_what_isoparse_refuses(text: str) -> None:
    with pytest.raises(ValueError):
        isoparse(text)
    with pytest.raises(ValueError):
        parse_datetime(text)
