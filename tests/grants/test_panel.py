"""The panel: declarations before detail, conflicts, reviews and who sees them."""

from __future__ import annotations

import httpx
from sqlalchemy.ext.asyncio import AsyncSession

from api.auth.principal import Role
from tests.grants.helpers import make_world, user_token
from tests.graphql_client import error_codes, gql, operation
from tests.people.helpers import CARMARTHENSHIRE


def codes(payload: dict) -> list[str]:
    return [e["code"] for e in payload["userErrors"]]


async def _reviews(
    client: httpx.AsyncClient, application_id: str, token: str, language: str | None = None
) -> dict:
    return await gql(
        client,
        operation("ApplicationReviews"),
        {"applicationId": application_id},
        token=token,
        language=language,
        expect_errors=True,
    )


async def test_a_member_sees_detail_only_after_declaring(
    client: httpx.AsyncClient, session: AsyncSession
) -> None:
    world = await make_world(client, session, panel_size=1)
    await world.apply()  # a draft: never shown to the panel
    application_id = await world.in_review()

    body = await gql(
        client, operation("GrantApplications"), {"roundId": world.round_id}, token=world.panel[0]
    )
    [edge] = body["data"]["grantApplications"]["edges"]
    assert edge["node"]["id"] == application_id and edge["node"]["detail"] is None
    assert edge["node"]["title"] == "Park walks"  # enough to know whether you are conflicted

    declared = await world.declare(0, application_id)
    assert declared["declaration"]["conflict"] is False
    body = await gql(
        client, operation("GrantApplication"), {"id": application_id}, token=world.panel[0]
    )
    assert body["data"]["grantApplication"]["detail"]["contact"] == "07700 900123"
    listed = await gql(
        client, operation("GrantApplications"), {"roundId": world.round_id}, token=world.panel[0]
    )
    [edge] = listed["data"]["grantApplications"]["edges"]
    assert edge["node"]["detail"] is not None
    twice = await world.declare(0, application_id, conflict=True, note="late")
    assert codes(twice) == ["ALREADY_DECLARED"]


async def test_an_unassigned_member_cannot_see_or_review(
    client: httpx.AsyncClient, session: AsyncSession
) -> None:
    world = await make_world(client, session, panel_size=1)
    application_id = await world.in_review()
    outsider, _ = await user_token(
        client, session, "outsider@example.org", {Role.PANEL: {CARMARTHENSHIRE}}
    )
    world.panel.append(outsider)
    hidden = await gql(
        client,
        operation("GrantApplication"),
        {"id": application_id},
        token=outsider,
        expect_errors=True,
    )
    assert error_codes(hidden) == ["FORBIDDEN"]
    assert codes(await world.declare(1, application_id)) == ["REVIEWER_NOT_ASSIGNED"]
    assert codes(await world.review(1, application_id)) == ["REVIEWER_NOT_ASSIGNED"]
    assert error_codes(await _reviews(client, application_id, outsider)) == ["FORBIDDEN"]


async def test_a_conflicted_member_cannot_review_or_read_reviews(
    client: httpx.AsyncClient, session: AsyncSession
) -> None:
    world = await make_world(client, session, panel_size=2)
    application_id = await world.in_review()
    await world.reviewed(application_id, members=[0])

    assert codes(await world.declare(1, application_id, conflict=True)) == ["NOTE_REQUIRED"]
    declared = await world.declare(1, application_id, conflict=True, note="My sister runs it")
    assert declared["declaration"]["note"] == "My sister runs it"
    assert codes(await world.review(1, application_id)) == ["REVIEWER_CONFLICTED"]
    assert error_codes(await _reviews(client, application_id, world.panel[1])) == ["CONFLICTED"]


async def test_a_member_who_has_not_declared_is_refused_the_reviews_in_their_language(
    client: httpx.AsyncClient, session: AsyncSession
) -> None:
    world = await make_world(client, session, panel_size=1)
    application_id = await world.in_review()
    welsh = await _reviews(client, application_id, world.panel[0], language="cy")
    english = await _reviews(client, application_id, world.panel[0])
    assert error_codes(welsh) == error_codes(english) == ["DECLARATION_REQUIRED"]
    assert welsh["errors"][0]["message"] == (
        "Datganwch yn gyntaf a oes gennych wrthdaro buddiannau."
    )
    assert english["errors"][0]["message"] == (
        "Declare whether you have a conflict of interest first."
    )


async def test_reviews_are_checked_against_the_rounds_scale_and_state(
    client: httpx.AsyncClient, session: AsyncSession
) -> None:
    world = await make_world(client, session, panel_size=1)
    application_id = await world.in_review()
    assert codes(await world.review(0, application_id)) == ["DECLARATION_REQUIRED"]
    await world.declare(0, application_id)
    assert codes(await world.review(0, application_id, value=[4, 4, 6, 4, 4])) == [
        "SCORE_OUT_OF_SCALE"
    ]
    assert codes(await world.review(0, application_id, value=[0, 4, 4, 4, 4])) == [
        "SCORE_OUT_OF_SCALE"
    ]
    incomplete = await world.call(
        "SaveReview",
        {
            "applicationId": application_id,
            "input": {"scores": [{"key": "feasibility", "score": 3}], "recommendation": "FUND"},
        },
        world.panel[0],
    )
    assert codes(incomplete) == ["SCORES_INCOMPLETE"]

    draft = await world.review(0, application_id, submit=False)
    assert draft["review"]["submitted"] is False
    submitted = await world.review(0, application_id, value=5)
    assert submitted["review"]["submitted"] is True
    assert codes(await world.review(0, application_id, value=1)) == ["REVIEW_ALREADY_SUBMITTED"]

    await world.move(application_id, "WITHDRAWN", "Changed our plans")
    assert codes(await world.review(0, application_id)) == ["NOT_IN_REVIEW"]


async def test_others_reviews_stay_hidden_until_you_submit_yours(
    client: httpx.AsyncClient, session: AsyncSession
) -> None:
    world = await make_world(client, session, panel_size=2)
    application_id = await world.in_review()
    await world.reviewed(application_id, members=[0])
    await world.declare(1, application_id)
    await world.review(1, application_id, value=2, submit=False)

    before = (await _reviews(client, application_id, world.panel[1]))["data"]
    assert [r["reviewerId"] for r in before["applicationReviews"]] == [world.panel_ids[1]]

    await world.review(1, application_id, value=2)
    after = (await _reviews(client, application_id, world.panel[1]))["data"]
    assert sorted(r["reviewerId"] for r in after["applicationReviews"]) == sorted(world.panel_ids)

    staff = (await _reviews(client, application_id, world.coordinator))["data"]
    assert len(staff["applicationReviews"]) == 2
    assert error_codes(await _reviews(client, application_id, world.applicant)) == ["FORBIDDEN"]


async def test_a_member_who_applied_must_declare_a_conflict_on_their_own_application(
    client: httpx.AsyncClient, session: AsyncSession
) -> None:
    world = await make_world(client, session, panel_size=1)
    both, user_id = await user_token(
        client,
        session,
        "both@example.org",
        {Role.PANEL: {CARMARTHENSHIRE}, Role.APPLICANT: {CARMARTHENSHIRE}},
    )
    await world.call(
        "AssignPanelMember", {"roundId": world.round_id, "userId": user_id}, world.coordinator
    )
    world.panel.append(both)
    own = await world.apply(token=both)
    await world.call("SubmitGrantApplication", {"id": own["id"]}, both)
    assert codes(await world.declare(1, own["id"])) == ["OWN_APPLICATION"]
    declared = await world.declare(1, own["id"], conflict=True, note="My own group")
    assert declared["declaration"]["conflict"] is True
    assert error_codes(await _reviews(client, own["id"], both)) == ["FORBIDDEN"]


async def test_reports_and_payments_stay_hidden_until_a_member_declares(
    client: httpx.AsyncClient, session: AsyncSession
) -> None:
    world = await make_world(client, session, panel_size=4)
    application_id = await world.active()  # reviewed by members 0-2; member 3 has not declared
    await world.report(application_id)
    owner = await world.call("GrantApplication", {"id": application_id}, world.applicant)
    assert owner["reports"] and owner["tranches"]
    undeclared = await world.call("GrantApplication", {"id": application_id}, world.panel[3])
    assert undeclared["detail"] is None
    assert (undeclared["reports"], undeclared["tranches"], undeclared["attachments"]) == (
        [],
        [],
        [],
    )
