"""Photos: images only, at most 10 MB, stored without any metadata, served by URL."""

from __future__ import annotations

import io
from pathlib import Path

import pytest
from PIL import ExifTags, Image
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from api.assets.models import AssetPhoto
from api.auth.principal import Role
from tests.assets.helpers import item, leader, results, sync, token_for
from tests.graphql_client import error_codes, gql, gql_upload, operation
from tests.people.helpers import CEREDIGION


def photo_with_gps(fmt: str = "JPEG", size: tuple[int, int] = (3000, 2000)) -> bytes:
    image = Image.new("RGB", size, (120, 160, 90))
    exif = Image.Exif()
    exif[ExifTags.Base.Make] = "PhoneMaker"
    gps = exif.get_ifd(ExifTags.IFD.GPSInfo)
    gps[ExifTags.GPS.GPSLatitudeRef] = "N"
    gps[ExifTags.GPS.GPSLatitude] = (51.0, 51.0, 27.0)
    gps[ExifTags.GPS.GPSLongitudeRef] = "W"
    gps[ExifTags.GPS.GPSLongitude] = (4.0, 18.0, 43.0)
    out = io.BytesIO()
    image.save(out, fmt, exif=exif)
    data = out.getvalue()
    assert Image.open(io.BytesIO(data)).getexif().get_ifd(ExifTags.IFD.GPSInfo)  # it is there
    return data


async def upload(client, token: str | None, asset_id: str, data: bytes, name: str = "p.jpg", **kw):
    variables = {"assetId": asset_id, **kw}
    return await gql_upload(
        client, operation("AddAssetPhoto"), variables, data, token=token, filename=name
    )


async def _asset(client, session) -> tuple[str, str]:
    token = await leader(client, session)
    sent = item()
    [result] = results(await sync(client, token, [sent]))
    return token, result["id"]


@pytest.mark.parametrize("fmt", ["JPEG", "PNG", "WEBP"])
async def test_photos_are_stored_without_metadata_and_served(
    client, session: AsyncSession, media_dir: Path, fmt: str
) -> None:
    token, asset_id = await _asset(client, session)
    body = await upload(client, token, asset_id, photo_with_gps(fmt), caption="Y neuadd")
    payload = body["data"]["addAssetPhoto"]
    assert payload["userErrors"] == []
    photo = payload["photo"]
    assert (photo["width"], photo["height"]) == (2048, 1365)
    assert photo["caption"] == "Y neuadd"
    stored = stored_files(media_dir)
    assert len(stored) == 2
    for path in stored:
        data = path.read_bytes()
        reopened = Image.open(io.BytesIO(data))
        assert reopened.format == fmt
        assert len(reopened.getexif()) == 0
        assert "exif" not in reopened.info
        assert b"PhoneMaker" not in data
    thumb = Image.open(io.BytesIO(next(p for p in stored if "thumb" in p.name).read_bytes()))
    assert max(thumb.size) == 320

    served = await client.get(photo["url"], headers={"Authorization": f"Bearer {token}"})
    assert served.status_code == 200
    assert served.content == next(p for p in stored if "thumb" not in p.name).read_bytes()
    assert served.headers["cache-control"].startswith("private")  # still PENDING
    hidden = await client.get(photo["thumbnailUrl"])  # the public cannot see a PENDING asset
    assert hidden.status_code == 404


async def test_anything_but_a_photo_is_refused(
    client, session: AsyncSession, media_dir: Path
) -> None:
    token, asset_id = await _asset(client, session)
    for data in (b"%PDF-1.4 not an image", _gif()):
        body = await upload(client, token, asset_id, data)
        [error] = body["data"]["addAssetPhoto"]["userErrors"]
        assert error["field"] == "file"
    assert stored_files(media_dir) == []
    assert await session.scalar(select(func.count()).select_from(AssetPhoto)) == 0


async def test_a_photo_over_ten_megabytes_is_refused(client, session: AsyncSession) -> None:
    token, asset_id = await _asset(client, session)
    big = photo_with_gps() + b"\0" * (10 * 1024 * 1024)
    body = await upload(client, token, asset_id, big)
    [error] = body["data"]["addAssetPhoto"]["userErrors"]
    assert (error["field"], "10 MB" in error["message"]) == ("file", True)
    assert await session.scalar(select(func.count()).select_from(AssetPhoto)) == 0


async def test_only_writers_of_the_county_add_photos(client, session: AsyncSession) -> None:
    _, asset_id = await _asset(client, session)
    anonymous = await upload(client, None, asset_id, photo_with_gps())
    assert anonymous["errors"][0]["extensions"]["code"] == "UNAUTHENTICATED"
    outsider = await token_for(
        client, session, "far@example.org", {Role.LEADER: frozenset({CEREDIGION})}
    )
    refused = await upload(client, outsider, asset_id, photo_with_gps())
    assert refused["errors"][0]["extensions"]["code"] == "NOT_FOUND"
    assert await session.scalar(select(func.count()).select_from(AssetPhoto)) == 0


def stored_files(root: Path) -> list[Path]:
    return sorted(p for p in root.rglob("*") if p.is_file())


def _gif() -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (10, 10)).save(out, "GIF")
    return out.getvalue()


async def test_an_over_long_caption_names_the_caption(
    client, session: AsyncSession, media_dir: Path
) -> None:
    token, asset_id = await _asset(client, session)
    body = await upload(client, token, asset_id, photo_with_gps(), caption="x" * 5000)
    [error] = body["data"]["addAssetPhoto"]["userErrors"]
    assert error["field"] == "caption"
    assert stored_files(media_dir) == []


async def test_a_file_sent_as_plain_json_is_bad_input(
    client, session: AsyncSession, media_dir: Path
) -> None:
    token, asset_id = await _asset(client, session)
    body = await gql(
        client,
        operation("AddAssetPhoto"),
        {"assetId": asset_id, "file": "photo.jpg"},
        token=token,
        expect_errors=True,
    )
    assert error_codes(body) == ["BAD_USER_INPUT"]
    assert "multipart" in body["errors"][0]["message"]
    assert stored_files(media_dir) == []
