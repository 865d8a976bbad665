"""Every list a client can send has its own cap (api/shared/limits.py), tripped by a test
beside its domain's other tests. A list argument or input field added without one fails
here until it is capped, tested and named below. Every page asked for with `first` is
capped at PAGE_SIZE_MAX."""

from __future__ import annotations

import uuid
from typing import Any

import httpx
from graphql import (
    GraphQLInputObjectType,
    GraphQLObjectType,
    Undefined,
    get_nullable_type,
    is_list_type,
    is_non_null_type,
)

from api.schema import build_schema
from api.settings import Settings
from tests.graphql_client import gql, refused_fields
from tests.people.helpers import admin_token

# Where each list's cap is tripped.
CAPPED = {
    "AssetFilter.categories": "tests/assets/test_bad_input.py",
    "AssetFilter.status": "tests/assets/test_bad_input.py",
    "AssetFilter.tags": "tests/assets/test_bad_input.py",
    "AssetInput.languages": "tests/assets/test_bad_input.py",
    "AssetInput.tags": "tests/assets/test_bad_input.py",
    "AssetInput.wellbeing": "tests/assets/test_bad_input.py",
    "Mutation.syncAssets(input)": "tests/assets/test_sync.py",
    "CommunityShapeInput.communityIds": "tests/places/test_community_editing.py",
    "CommunityShapeInput.lsoaCodes": "tests/places/test_community_editing.py",
    "ConversationAnswerInput.choices": "tests/conversations/test_list_caps.py",
    "ConversationInput.answers": "tests/conversations/test_list_caps.py",
    "CreateCampaignInput.countyTargets": "tests/conversations/test_list_caps.py",
    "CreateCampaignInput.questions": "tests/conversations/test_list_caps.py",
    "QuestionInput.choices": "tests/conversations/test_list_caps.py",
    "ThemeInput.keywords": "tests/conversations/test_list_caps.py",
    "Mutation.codeConversation(codings)": "tests/conversations/test_list_caps.py",
    "Mutation.publishQuestions(questions)": "tests/conversations/test_list_caps.py",
    "Mutation.recordConversations(input)": "tests/conversations/test_capture.py",
    "CreateUserInput.roles": "tests/people/test_list_caps.py",
    "RoleGrantInput.countyCodes": "tests/people/test_list_caps.py",
    "Mutation.setUserRoles(roles)": "tests/people/test_list_caps.py",
    "CreateSelectionRoundInput.countyCodes": "tests/selection/test_list_caps.py",
    "CreateSelectionRoundInput.criteria": "tests/selection/test_list_caps.py",
    "Mutation.changeSelectionCriteria(criteria)": "tests/selection/test_list_caps.py",
    "Query.compareCommunities(ids)": "tests/selection/test_list_caps.py",
    "GrantApplicationInput.budgetLines": "tests/grants/test_list_caps.py",
    "GrantApplicationInput.fiveWays": "tests/grants/test_list_caps.py",
    "GrantRoundInput.countyCodes": "tests/grants/test_list_caps.py",
    "GrantRoundInput.criteria": "tests/grants/test_list_caps.py",
    "GrantRoundInput.paymentSchedule": "tests/grants/test_list_caps.py",
    "GrantRoundInput.tiers": "tests/grants/test_list_caps.py",
    "TierScheduleInput.parts": "tests/grants/test_list_caps.py",
    "ReviewInput.scores": "tests/grants/test_list_caps.py",
}


def test_every_list_a_client_sends_is_capped(settings: Settings) -> None:
    schema = build_schema(settings)._schema
    sent = set()
    for name, kind in schema.type_map.items():
        if isinstance(kind, GraphQLObjectType):
            sent |= {
                f"{name}.{field}({arg})"
                for field, definition in kind.fields.items()
                for arg, argument in definition.args.items()
                if is_list_type(get_nullable_type(argument.type))
            }
        elif isinstance(kind, GraphQLInputObjectType) and not name.startswith("__"):
            sent |= {
                f"{name}.{field}"
                for field, definition in kind.fields.items()
                if is_list_type(get_nullable_type(definition.type))
            }
    assert sent == set(CAPPED)


def _fields_with_first(schema: Any) -> list[tuple[str, str]]:
    """(field, document) for every Query field taking `first`, its required arguments
    filled with something of the right type."""
    found = []
    for name, field in schema.query_type.fields.items():
        if "first" not in field.args:
            continue
        given = {"first": "$first"} | {
            arg: f'"{uuid.uuid4()}"' if str(a.type) == "UUID!" else '"W06000010"'
            for arg, a in field.args.items()
            if is_non_null_type(a.type) and a.default_value is Undefined
        }
        args = ", ".join(f"{k}: {v}" for k, v in given.items())
        found.append((name, f"query($first: Int) {{ {name}({args}) {{ __typename }} }}"))
    return found


async def test_every_page_is_capped(
    client: httpx.AsyncClient, session: Any, settings: Settings
) -> None:
    token = await admin_token(client, session)
    fields = _fields_with_first(build_schema(settings)._schema)
    assert len(fields) >= 8  # communities, users, assets, conversations, grants, coding...
    for name, document in fields:
        over = {"first": settings.page_size_max + 1}
        body = await gql(client, document, over, token=token, expect_errors=True)
        assert refused_fields(body) == {"first"}, (name, body)
