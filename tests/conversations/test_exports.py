"""REST exports of coded conversations: CSV and XLSX, no contact details or exact places."""

from __future__ import annotations

import csv
import io

from openpyxl import load_workbook

from api.auth.principal import Role
from tests.conversations.helpers import (
    ABERYSTWYTH,
    CARMARTHEN,
    CEREDIGION,
    add_theme,
    code,
    conversation,
    on,
    person,
    record,
    staffed_campaign,
)
from tests.people.helpers import CARMARTHENSHIRE


async def _coded(client, session):
    """Three conversations: two coded (one may be quoted, with contact details and a
    formula-looking answer), one left uncoded."""
    staff, campaign = await staffed_campaign(client, session)
    c = campaign["id"]
    family = (await add_theme(client, staff.token, c, "family"))["theme"]
    parks = (await add_theme(client, staff.token, c, "parks"))["theme"]
    items = [
        conversation(
            c,
            consent={"store": True, "contact": True, "quote": True},
            contact={"name": "Ann Jones", "email": "ann@example.org", "phone": "01267 123456"},
            answers=[
                {"questionKey": "what_matters", "text": '=HYPERLINK("x") my family'},
                {"questionKey": "services", "choices": ["gp", "bus"]},
            ],
        ),
        conversation(c, consent={"store": True, "quote": False}, location=ABERYSTWYTH),
        conversation(c),
    ]
    made = await record(client, staff.token, items)
    await code(client, staff.token, made[0]["id"], [on(family), on(parks)])
    await code(client, staff.token, made[1]["id"], [on(parks)])
    return staff, campaign, made


async def test_csv_has_a_row_per_coded_conversation_and_nothing_personal(client, session) -> None:
    staff, campaign, made = await _coded(client, session)
    response = await client.get(
        f"/exports/campaigns/{campaign['id']}/conversations.csv",
        headers={"Authorization": f"Bearer {staff.token}"},
    )
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/csv")
    body = response.text
    for secret in (
        "Ann Jones",
        "ann@example.org",
        "01267",
        made[0]["referenceCode"],
        str(CARMARTHEN["lat"]),
    ):
        assert secret not in body
    rows = {r["conversation_id"]: r for r in csv.DictReader(io.StringIO(body))}
    assert set(rows) == {made[0]["id"], made[1]["id"]}
    first, second = rows[made[0]["id"]], rows[made[1]["id"]]
    assert "lat" not in first and "lon" not in first and "contact" not in str(list(first))
    assert first["what_matters"] == '\'=HYPERLINK("x") my family'  # defused formula
    assert first["services"] == "gp; bus"
    assert first["wellbeing"] == ""
    assert (first["theme:family"], first["theme:parks"]) == ("1", "1")
    assert (second["theme:family"], second["theme:parks"]) == ("0", "1")
    assert (first["may_quote"], second["may_quote"]) == ("true", "false")
    assert (first["county_code"], second["county_code"]) == (CARMARTHENSHIRE, CEREDIGION)
    assert first["community_code"].startswith("W02")


async def test_xlsx_holds_the_same_table(client, session) -> None:
    staff, campaign, made = await _coded(client, session)
    response = await client.get(
        f"/exports/campaigns/{campaign['id']}/conversations.xlsx",
        headers={"Authorization": f"Bearer {staff.token}"},
    )
    assert response.status_code == 200
    sheet = load_workbook(io.BytesIO(response.content), read_only=True)["conversations"]
    header, *rows = [list(r) for r in sheet.iter_rows(values_only=True)]
    assert header[0] == "conversation_id" and "theme:family" in header and "may_quote" in header
    assert {r[0] for r in rows} == {made[0]["id"], made[1]["id"]}
    first = next(dict(zip(header, r, strict=True)) for r in rows if r[0] == made[0]["id"])
    # Text stays text, never a formula.
    assert first["what_matters"] == '=HYPERLINK("x") my family'
    assert first["theme:family"] == 1 and first["may_quote"] is True
    assert "ann@example.org" not in str(rows)


async def test_exports_need_staff_and_keep_to_their_counties(client, session) -> None:
    _, campaign, made = await _coded(client, session)
    url = f"/exports/campaigns/{campaign['id']}/conversations.csv"
    assert (await client.get(url)).status_code == 401
    leader = await person(
        client, session, "leader@example.org", {Role.LEADER: frozenset({CARMARTHENSHIRE})}
    )
    response = await client.get(url, headers={"Authorization": f"Bearer {leader.token}"})
    assert response.status_code == 403
    assert response.json()["error"]["code"] == "FORBIDDEN"
    ceredigion = await person(
        client, session, "cered@example.org", {Role.ENGAGEMENT: frozenset({CEREDIGION})}
    )
    response = await client.get(url, headers={"Authorization": f"Bearer {ceredigion.token}"})
    assert [r["conversation_id"] for r in csv.DictReader(io.StringIO(response.text))] == [
        made[1]["id"]
    ]
