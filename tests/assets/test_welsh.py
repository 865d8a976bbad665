"""An asset refused for bad input is explained in the request's language."""

from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncSession

from tests.assets.helpers import item, leader, results, sync


async def test_a_point_out_of_range_is_refused_in_the_request_language(
    client, session: AsyncSession
) -> None:
    token = await leader(client, session)
    sent = item(location={"lat": 91.0, "lon": -4.3})
    [english] = results(await sync(client, token, [sent]))
    [welsh] = results(await sync(client, token, [sent], language="cy"))
    assert english["status"] == welsh["status"] == "REJECTED"
    assert [(e["field"], e["message"]) for e in english["userErrors"]] == [
        ("location.lat", "lat must be a latitude between -90 and 90 degrees.")
    ]
    assert [(e["field"], e["message"]) for e in welsh["userErrors"]] == [
        ("location.lat", "Rhaid i lat fod yn lledred rhwng -90 a 90 gradd.")
    ]
