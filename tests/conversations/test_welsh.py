"""A conversation refused for want of consent is explained in the request's language."""

from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncSession

from tests.conversations.helpers import conversation, coordinator, create_campaign, record


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
