"""Response compression above 1 KB: brotli where the client accepts it (smaller than gzip
for JSON), else gzip. Streamed exports stay streamed: each chunk is compressed and
flushed as it comes. ETags are made from the uncompressed body, inside this layer
(api.web.etags)."""

from __future__ import annotations

from brotli_asgi import BrotliMiddleware
from fastapi import FastAPI

MINIMUM_SIZE = 1024
# Photos and attachments are images already compressed, and an xlsx is a zip: as they are.
ALREADY_COMPRESSED = [r"^/media/", r"^/grants/attachments/", r"\.xlsx$"]


def add_compression(app: FastAPI) -> None:
    app.add_middleware(
        BrotliMiddleware,
        # Measured on our JSON: 5 is a few per cent smaller than gzip's 9 and no slower; 4 is
        # no smaller than gzip. (11 is for static files compressed once.)
        quality=5,
        minimum_size=MINIMUM_SIZE,
        gzip_fallback=True,
        excluded_handlers=ALREADY_COMPRESSED,
    )
