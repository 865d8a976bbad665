"""The Upload scalar: a file sent in a GraphQL multipart request, and nothing else.

Strawberry's own Upload passes any value through, so a string sent as plain JSON reached the
resolvers and failed there; this one refuses it while the variables are checked.
"""

from __future__ import annotations

from typing import Any

import strawberry
from strawberry.file_uploads import Upload

__all__ = ["UPLOAD_SCALAR", "Upload"]


def _uploaded_file(value: Any) -> Any:
    if not callable(getattr(value, "read", None)):
        raise ValueError("Send the file as a GraphQL multipart upload.")
    return value


UPLOAD_SCALAR = strawberry.scalar(
    name="Upload",
    description="Represents a file upload.",
    serialize=lambda value: value,
    parse_value=_uploaded_file,
)
