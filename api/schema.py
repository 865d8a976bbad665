"""The GraphQL schema: every domain's Query and Mutation merged, plus the limits and error
handling every request goes through."""

from __future__ import annotations

import logging
from datetime import datetime
from typing import Any

import strawberry
from graphql import GraphQLError
from strawberry.extensions import (
    AddValidationRules,
    MaxAliasesLimiter,
    MaxTokensLimiter,
    ParserCache,
    QueryDepthLimiter,
    ValidationCache,
)
from strawberry.schema.config import StrawberryConfig
from strawberry.tools import merge_types
from strawberry.types import ExecutionContext

from api.assets import types as assets
from api.conversations import types as conversations
from api.db import UNAVAILABLE_ERRORS, DatabaseUnavailable
from api.errors import INTERNAL, DomainError
from api.grants import types as grants
from api.people import leader_types as leaders
from api.people import types as people
from api.places import types as places
from api.request_id import current_request_id
from api.selection import types as selection
from api.settings import Settings
from api.shared import inputs as batch_inputs
from api.shared.datetimes import DATETIME_SCALAR
from api.shared.geojson import GEOJSON_SCALAR, GeoJSON
from api.shared.language import Language
from api.shared.uploads import UPLOAD_SCALAR, Upload
from api.web import coercion, plain_fields
from api.web.nul_text import RefuseNulText
from api.web.query_cost import CostLimits, QueryCostLimiter

log = logging.getLogger("api.graphql")

DOMAINS = (places, people, leaders, assets, conversations, grants, selection)
Query = merge_types("Query", tuple(d.Query for d in DOMAINS))
Mutation = merge_types("Mutation", tuple(d.Mutation for d in DOMAINS if hasattr(d, "Mutation")))


def _is_unexpected(error: GraphQLError) -> bool:
    # No path: the request itself was wrong (syntax, unknown field, limits, variables).
    return error.path is not None and not isinstance(
        error.original_error, (DomainError, *UNAVAILABLE_ERRORS)
    )


def format_error(error: GraphQLError, language: Language = Language.EN) -> dict[str, Any]:
    """The error as the client sees it: a code, a plain message, never a stack trace."""
    original = error.original_error
    extensions: dict[str, Any]
    if isinstance(original, DomainError):
        message = original.message_in(language)
        extensions = {"code": original.code}
        if original.field:
            extensions["field"] = original.field
    elif isinstance(original, UNAVAILABLE_ERRORS):
        message = DatabaseUnavailable.message_in(language)
        extensions = {"code": DatabaseUnavailable.code}
    elif _is_unexpected(error):
        message = f"Something went wrong on our side (request {current_request_id()})."
        extensions = {"code": INTERNAL}
    else:
        message = error.message
        extensions = {"code": "BAD_USER_INPUT"}
    formatted: dict[str, Any] = {"message": message, "extensions": extensions}
    if error.path is not None:
        formatted["path"] = error.path
    if error.locations:
        formatted["locations"] = [
            {"line": loc.line, "column": loc.column} for loc in error.locations
        ]
    return formatted


class CymunedSchema(strawberry.Schema):
    def process_errors(
        self, errors: list[GraphQLError], execution_context: ExecutionContext | None = None
    ) -> None:
        for error in errors:
            if _is_unexpected(error):
                log.error("resolver failed at %s", error.path, exc_info=error.original_error)


def build_schema(settings: Settings) -> strawberry.Schema:
    # The limit rules are made once: the validation cache keys on the rule classes, and
    # limiters built per request would make new classes every time and never hit it.
    limits = [
        *QueryDepthLimiter(max_depth=settings.query_max_depth).validation_rules,
        *MaxAliasesLimiter(max_alias_count=settings.query_max_aliases).validation_rules,
    ]
    cost_limits = CostLimits(
        max_cost=settings.query_max_cost,
        page_size=settings.page_size_max,
        list_items=settings.query_cost_list_items,
    )
    schema = CymunedSchema(
        query=Query,
        mutation=Mutation,
        config=StrawberryConfig(
            scalar_map={GeoJSON: GEOJSON_SCALAR, Upload: UPLOAD_SCALAR, datetime: DATETIME_SCALAR}
        ),
        # Factories: Strawberry builds fresh extensions per request; the caches are shared.
        extensions=[
            lambda: AddValidationRules(limits),
            lambda: MaxTokensLimiter(max_token_count=settings.query_max_tokens),
            lambda: ParserCache(maxsize=512),
            lambda: ValidationCache(maxsize=512),
            lambda: QueryCostLimiter(cost_limits),
            RefuseNulText,
        ],
    )
    coercion.install(schema._schema)
    batch_inputs.install()
    schema.execution_context_class = plain_fields.execution_context(schema._schema)
    return schema
