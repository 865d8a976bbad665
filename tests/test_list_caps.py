"""Every list a client can send has its own cap (api/shared/limits.py), tripped by a test
beside its domain's other tests. A list argument or input field added without one fails
here until it is capped, tested and named below."""

from __future__ import annotations

from graphql import GraphQLInputObjectType, GraphQLObjectType, get_nullable_type, is_list_type

from api.schema import build_schema
from api.settings import Settings

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
