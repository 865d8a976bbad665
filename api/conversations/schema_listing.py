"""GraphQL for listing a campaign's conversations, a page at a time."""

from __future__ import annotations

import uuid
from datetime import datetime

import strawberry

from api.context import Info
from api.conversations import listing
from api.conversations.inputs import Channel
from api.conversations.schema_capture import ConversationType
from api.shared.language import Language
from api.shared.pagination import Connection, wants_total


@strawberry.input
class ConversationFilter:
    county_code: str | None = None
    community_id: uuid.UUID | None = None
    channel: Channel | None = None
    language: Language | None = None
    coded: bool | None = strawberry.field(
        default=None, description="true: coded by a first coder; false: not yet."
    )
    collected_since: datetime | None = strawberry.field(
        default=None, description="Held at or after this time (give a time zone)."
    )

    def plain(self) -> listing.ListFilter:
        return listing.ListFilter(
            county_code=self.county_code,
            community_id=self.community_id,
            channel=self.channel,
            language=self.language.value if self.language else None,
            coded=self.coded,
            collected_since=self.collected_since,
        )


@strawberry.type
class Query:
    @strawberry.field(
        description="A campaign's conversations in your counties (ENGAGEMENT, COORDINATOR or "
        "ADMIN), oldest collected first. Contact details only through each one's contact. "
        "totalCount: how many the filter holds, on every page."
    )
    async def conversations(
        self,
        info: Info,
        campaign_id: uuid.UUID,
        filter: ConversationFilter | None = None,
        first: int | None = None,
        after: str | None = None,
    ) -> Connection[ConversationType]:
        page = await listing.conversations(
            info.context.session,
            await info.context.principal(),
            campaign_id,
            (filter or ConversationFilter()).plain(),
            first,
            after,
            info.context.settings.page_size_max,
            with_total=wants_total(info),
        )
        return Connection.of(page, listing.sort_key, ConversationType.of)
