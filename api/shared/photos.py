"""Photos (of assets, grant attachments): checked, stripped of every bit of metadata
(phones put GPS in EXIF), scaled to a bounded size with a thumbnail, and kept behind one
small storage interface so S3-compatible storage can replace the directory."""

from __future__ import annotations

import io
from dataclasses import dataclass
from pathlib import Path, PurePosixPath
from typing import Protocol

from PIL import Image, ImageOps, UnidentifiedImageError

from api.errors import BadInput
from api.settings import Settings

MAX_BYTES = 10 * 1024 * 1024
MAX_PIXELS = 50_000_000  # refuse "decompression bombs" before decoding them
IMAGE_EDGE = 2048
THUMBNAIL_EDGE = 320
# Accepted formats: Pillow's name -> (content type, file extension).
FORMATS = {
    "JPEG": ("image/jpeg", "jpg"),
    "PNG": ("image/png", "png"),
    "WEBP": ("image/webp", "webp"),
}


class PhotoStorage(Protocol):
    """Where photo files live. Keys are relative paths like 'assets/<id>/<photo>.jpg'."""

    def save(self, key: str, data: bytes, content_type: str) -> None: ...

    def read(self, key: str) -> bytes | None: ...


class DirectoryStorage:
    """Files under one directory (the `media_dir` setting)."""

    def __init__(self, root: Path) -> None:
        self.root = root

    def _path(self, key: str) -> Path:
        parts = PurePosixPath(key).parts
        if not parts or any(p in ("..", "/") or p.startswith(".") for p in parts):
            raise ValueError(f"not a storage key: {key!r}")
        return self.root.joinpath(*parts)

    def save(self, key: str, data: bytes, content_type: str) -> None:
        path = self._path(key)
        path.parent.mkdir(parents=True, exist_ok=True)
        partial = path.with_name(path.name + ".partial")
        partial.write_bytes(data)
        partial.replace(path)  # readers never see half a file

    def read(self, key: str) -> bytes | None:
        try:
            path = self._path(key)
        except ValueError:
            return None
        return path.read_bytes() if path.is_file() else None


@dataclass(frozen=True)
class Processed:
    image: bytes
    thumbnail: bytes
    content_type: str
    extension: str
    width: int
    height: int


def _encode(image: Image.Image, fmt: str, edge: int) -> tuple[bytes, int, int]:
    scaled = image.copy()
    scaled.thumbnail((edge, edge))
    scaled.info = {}  # no EXIF, XMP, comments or text chunks carried over
    out = io.BytesIO()
    options = {"quality": 85} if fmt in ("JPEG", "WEBP") else {"optimize": True}
    scaled.save(out, fmt, **options)
    return out.getvalue(), scaled.width, scaled.height


def process(data: bytes) -> Processed:
    """The photo re-encoded without metadata, turned upright, at most IMAGE_EDGE pixels
    on its long side, plus a thumbnail; BadInput naming `file` for anything else."""
    if len(data) > MAX_BYTES:
        raise BadInput(
            "A photo can be at most 10 MB.", field="file", cy="Gall llun fod yn 10 MB ar y mwyaf."
        )
    try:
        with Image.open(io.BytesIO(data)) as opened:
            fmt = opened.format or ""
            if fmt not in FORMATS:
                raise BadInput(
                    "Send a JPEG, PNG or WebP photo.",
                    field="file",
                    cy="Anfonwch lun JPEG, PNG neu WebP.",
                )
            if opened.width * opened.height > MAX_PIXELS:
                raise BadInput(
                    "This photo has too many pixels.",
                    field="file",
                    cy="Mae gormod o bicseli yn y llun hwn.",
                )
            upright = ImageOps.exif_transpose(opened)
            upright.load()
    except (UnidentifiedImageError, OSError, Image.DecompressionBombError):
        raise BadInput(
            "This file is not a photo we can read (JPEG, PNG or WebP).",
            field="file",
            cy="Nid yw'r ffeil hon yn llun y gallwn ei ddarllen (JPEG, PNG neu WebP).",
        ) from None
    if fmt == "JPEG" and upright.mode not in ("RGB", "L"):
        upright = upright.convert("RGB")
    content_type, extension = FORMATS[fmt]
    image, width, height = _encode(upright, fmt, IMAGE_EDGE)
    thumbnail, _, _ = _encode(upright, fmt, THUMBNAIL_EDGE)
    return Processed(image, thumbnail, content_type, extension, width, height)


def storage_for(settings: Settings) -> PhotoStorage:
    """The configured photo storage (a directory today; S3-compatible storage later)."""
    return DirectoryStorage(settings.media_dir)
