"""Attachments: photos or scans on a draft, stored without metadata, served only to those
who may see the application's detail."""

from __future__ import annotations

import io
from typing import Any

import httpx
from PIL import Image
from sqlalchemy.ext.asyncio import AsyncSession

from tests.grants.helpers import make_world
from tests.graphql_client import error_codes, gql, gql_upload, operation

GPS_IFD = 0x8825


def photo_with_location() -> bytes:
    image = Image.new("RGB", (640, 480), (20, 120, 60))
    exif = Image.Exif()
    exif[0x010F] = "PhoneMaker"
    exif[GPS_IFD] = {1: "N", 2: (51.0, 51.0, 0.0), 3: "W", 4: (4.0, 18.0, 0.0)}
    out = io.BytesIO()
    image.save(out, "JPEG", exif=exif)
    return out.getvalue()


async def upload(
    client: httpx.AsyncClient,
    token: str,
    application_id: str,
    data: bytes,
    language: str | None = None,
) -> dict[str, Any]:
    variables = {"applicationId": application_id, "caption": "Our hall"}
    body = await gql_upload(
        client,
        operation("AddApplicationAttachment"),
        variables,
        data,
        token=token,
        language=language,
    )
    return body["data"]["addApplicationAttachment"]


async def _get(client: httpx.AsyncClient, url: str, token: str) -> httpx.Response:
    return await client.get(url, headers={"Authorization": f"Bearer {token}"})


async def test_an_attachment_is_stored_without_metadata_and_served_to_those_who_may_see_it(
    client: httpx.AsyncClient, session: AsyncSession
) -> None:
    world = await make_world(client, session, panel_size=1)
    draft = await world.apply()
    added = await upload(client, world.applicant, draft["id"], photo_with_location())
    attachment = added["attachment"]
    assert (attachment["contentType"], attachment["width"], attachment["caption"]) == (
        "image/jpeg",
        640,
        "Our hall",
    )

    served = await _get(client, attachment["url"], world.applicant)
    assert served.status_code == 200 and served.headers["content-type"] == "image/jpeg"
    assert dict(Image.open(io.BytesIO(served.content)).getexif()) == {}
    thumbnail = await _get(client, attachment["thumbnailUrl"], world.applicant)
    assert max(Image.open(io.BytesIO(thumbnail.content)).size) <= 320

    other = await world.other_applicant()
    assert (await _get(client, attachment["url"], other)).status_code == 403

    await world.call("SubmitGrantApplication", {"id": draft["id"]}, world.applicant)
    late = await upload(client, world.applicant, draft["id"], photo_with_location())
    assert [e["code"] for e in late["userErrors"]] == ["NOT_EDITABLE"]

    # A panel member sees it only after declaring.
    hidden = await gql(
        client, operation("ApplicationAttachments"), {"id": draft["id"]}, token=world.panel[0]
    )
    assert hidden["data"]["grantApplication"]["attachments"] == []
    refused = await _get(client, attachment["url"], world.panel[0])
    assert refused.status_code == 403
    assert refused.json()["error"]["code"] == "DECLARATION_REQUIRED"
    await world.declare(0, draft["id"])
    shown = await gql(
        client, operation("ApplicationAttachments"), {"id": draft["id"]}, token=world.panel[0]
    )
    assert [a["id"] for a in shown["data"]["grantApplication"]["attachments"]] == [attachment["id"]]
    assert (await _get(client, attachment["url"], world.panel[0])).status_code == 200


async def test_a_file_that_is_not_a_photo_is_refused_in_the_request_language(
    client: httpx.AsyncClient, session: AsyncSession
) -> None:
    world = await make_world(client, session, panel_size=0)
    draft = await world.apply()
    pdf = b"%PDF-1.4 not an image"
    refused = await upload(client, world.applicant, draft["id"], pdf)
    assert refused["attachment"] is None
    assert [(e["field"], e["code"], e["message"]) for e in refused["userErrors"]] == [
        ("file", "BAD_USER_INPUT", "This file is not a photo we can read (JPEG, PNG or WebP).")
    ]
    welsh = await upload(client, world.applicant, draft["id"], pdf, language="cy")
    assert [(e["field"], e["code"], e["message"]) for e in welsh["userErrors"]] == [
        (
            "file",
            "BAD_USER_INPUT",
            "Nid yw'r ffeil hon yn llun y gallwn ei ddarllen (JPEG, PNG neu WebP).",
        )
    ]


async def test_a_file_sent_as_plain_json_is_bad_input(
    client: httpx.AsyncClient, session: AsyncSession
) -> None:
    world = await make_world(client, session, panel_size=0)
    draft = await world.apply()
    body = await gql(
        client,
        operation("AddApplicationAttachment"),
        {"applicationId": draft["id"], "file": "photo.jpg"},
        token=world.applicant,
        expect_errors=True,
    )
    assert error_codes(body) == ["BAD_USER_INPUT"]
    assert "multipart" in body["errors"][0]["message"]


async def _report_photo(
    client: httpx.AsyncClient, token: str, report_id: str, data: bytes
) -> dict[str, Any]:
    variables = {"reportId": report_id, "caption": "Day one"}
    return await gql_upload(client, operation("AddGrantReportPhoto"), variables, data, token=token)


async def test_reports_carry_photos_until_approved(
    client: httpx.AsyncClient, session: AsyncSession
) -> None:
    world = await make_world(client, session, panel_size=3)
    application_id = await world.active()
    report = (await world.report(application_id))["report"]
    body = await _report_photo(client, world.applicant, report["id"], photo_with_location())
    added = body["data"]["addGrantReportPhoto"]
    assert added["userErrors"] == []
    served = await _get(client, added["attachment"]["url"], world.applicant)
    assert dict(Image.open(io.BytesIO(served.content)).getexif()) == {}

    application = await world.call("GrantApplication", {"id": application_id}, world.applicant)
    [listed] = application["reports"]
    assert [p["caption"] for p in listed["photos"]] == ["Day one"]
    assert application["attachments"] == []  # report photos are not application attachments

    other = await world.other_applicant()
    refused = await _report_photo(client, other, report["id"], photo_with_location())
    assert error_codes(refused) == ["FORBIDDEN"]
    await world.review_report(report["id"])
    late = await _report_photo(client, world.applicant, report["id"], photo_with_location())
    assert [e["code"] for e in late["data"]["addGrantReportPhoto"]["userErrors"]] == [
        "REPORT_APPROVED"
    ]
