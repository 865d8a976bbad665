"""Per-request DataLoaders of the conversations domain: each batches one kind of lookup."""

from __future__ import annotations

import uuid

from strawberry.dataloader import DataLoader

from api.context import RequestContext
from api.conversations import campaigns, coding, privacy
from api.conversations.models import Coding, ConversationContact
from api.conversations.repository import QuestionSetRow


def question_sets(ctx: RequestContext) -> DataLoader[uuid.UUID, list[QuestionSetRow]]:
    def factory(ctx: RequestContext) -> DataLoader[uuid.UUID, list[QuestionSetRow]]:
        async def load(ids: list[uuid.UUID]) -> list[list[QuestionSetRow]]:
            found = await campaigns.question_sets(ctx.session, ids)
            return [found[i] for i in ids]

        return DataLoader(load_fn=load)

    return ctx.loader("conversations.question_sets", factory)


def contacts(ctx: RequestContext) -> DataLoader[uuid.UUID, ConversationContact | None]:
    """Contact details the caller may read (others come back as None)."""

    def factory(ctx: RequestContext) -> DataLoader[uuid.UUID, ConversationContact | None]:
        async def load(ids: list[uuid.UUID]) -> list[ConversationContact | None]:
            found = await privacy.contacts(ctx.session, await ctx.principal(), ids)
            return [found.get(i) for i in ids]

        return DataLoader(load_fn=load)

    return ctx.loader("conversations.contacts", factory)


def codings(ctx: RequestContext) -> DataLoader[uuid.UUID, list[Coding]]:
    """Codings the caller may read, per conversation."""

    def factory(ctx: RequestContext) -> DataLoader[uuid.UUID, list[Coding]]:
        async def load(ids: list[uuid.UUID]) -> list[list[Coding]]:
            found = await coding.visible_codings(ctx.session, await ctx.principal(), ids)
            return [found.get(i, []) for i in ids]

        return DataLoader(load_fn=load)

    return ctx.loader("conversations.codings", factory)
