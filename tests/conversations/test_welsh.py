"""Conversations in Welsh: a refusal explained in the request's language, a codebook in
the Welsh alphabet's order."""

from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncSession

from tests.conversations.helpers import (
    add_theme,
    conversation,
    coordinator,
    create_campaign,
    record,
    staffed_campaign,
)
from tests.graphql_client import gql, operation


async def test_a_refused_consent_is_explained_in_the_request_language(
    client, session: AsyncSession
) -> None:
    lead = await coordinator(client, session)
    campaign = await create_campaign(client, lead.token)
    refused = conversation(campaign["id"], consent={"store": False})
    [english] = await record(client, lead.token, [refused])
    [welsh] = await record(client, lead.token, [refused], language="cy")
    assert english["status"] == welsh["status"] == "REJECTED"
    assert [(e["field"], e["message"]) for e in english["userErrors"]] == [
        (
            "consent.store",
            "The respondent did not consent to their answers being stored, so nothing was stored.",
        )
    ]
    assert [(e["field"], e["message"]) for e in welsh["userErrors"]] == [
        (
            "consent.store",
            "Ni roddodd yr ymatebydd ganiatâd i gadw'r atebion, felly ni chadwyd dim.",
        )
    ]


async def test_a_codebook_and_its_report_are_listed_by_label_in_the_language_asked_for(
    client, session: AsyncSession
) -> None:
    staff, campaign = await staffed_campaign(client, session)
    labels = {
        "community": ("Community", "Cymuned"),
        "sport": ("Sport", "Chwaraeon"),
        "health": ("Health", "Iechyd"),
        "lanes": ("Lanes", "Lonydd"),
        "wellbeing": ("Wellbeing", "Lles"),
        "family": ("Family", "Teulu"),
        "transport": ("Transport", "Trafnidiaeth"),
        "theatre": ("Theatre", "Theatr"),
        "other": ("Other", None),  # no Welsh label: listed by its English one
    }
    for key, (english, welsh) in labels.items():
        await add_theme(client, staff.token, campaign["id"], key, labelEn=english, labelCy=welsh)
    parent = (await add_theme(client, staff.token, campaign["id"], "buses", labelCy="Bysiau"))[
        "theme"
    ]
    await add_theme(
        client, staff.token, campaign["id"], "ferries", labelCy="Fferïau", parentId=parent["id"]
    )

    async def listed(language: str) -> list[str]:
        variables = {"campaignId": campaign["id"]}
        body = await gql(
            client, operation("Codebook"), variables, token=staff.token, language=language
        )
        book = [t["label"] for t in body["data"]["codebook"]]
        body = await gql(
            client, operation("ThemeReport"), variables, token=staff.token, language=language
        )
        assert [t["theme"]["label"] for t in body["data"]["themeReport"]["themes"]] == book
        return book

    # Worked by hand: themes before sub-themes; in Welsh c before ch, l before ll (Lonydd
    # before Lles), t and tr before th, Other among the O's.
    assert await listed("en") == [
        "Buses",
        "Community",
        "Family",
        "Health",
        "Lanes",
        "Other",
        "Sport",
        "Theatre",
        "Transport",
        "Wellbeing",
        "Ferries",
    ]
    assert await listed("cy") == [
        "Bysiau",
        "Cymuned",
        "Chwaraeon",
        "Iechyd",
        "Lonydd",
        "Lles",
        "Other",
        "Teulu",
        "Trafnidiaeth",
        "Theatr",
        "Fferïau",
    ]
