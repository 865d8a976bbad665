"""GraphQL of the conversations domain: each part's Query and Mutation, merged."""

from __future__ import annotations

from strawberry.tools import merge_types

from api.conversations import (
    schema_campaigns,
    schema_capture,
    schema_coding,
    schema_listing,
    schema_reports,
)

PARTS = (schema_campaigns, schema_capture, schema_coding, schema_reports)
Query = merge_types("ConversationsQuery", (*(p.Query for p in PARTS), schema_listing.Query))
WRITING = (schema_campaigns, schema_capture, schema_coding)
Mutation = merge_types("ConversationsMutation", tuple(p.Mutation for p in WRITING))
