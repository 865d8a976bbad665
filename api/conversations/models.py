"""Tables of the conversations domain: campaigns and their versioned questions, the
conversations themselves (answers in one JSONB document, so a conversation is one row to
write, read and erase), contact details kept apart, codebooks, codings, and the tallies
progress and the theme report read."""

from __future__ import annotations

import uuid
from datetime import date, datetime
from typing import Any

from sqlalchemy import (
    BigInteger,
    Boolean,
    Date,
    DateTime,
    Float,
    ForeignKey,
    Identity,
    Index,
    Integer,
    SmallInteger,
    String,
    Text,
    UniqueConstraint,
    func,
    text,
)
from sqlalchemy.dialects.postgresql import ARRAY, JSONB, UUID
from sqlalchemy.orm import Mapped, mapped_column

from api.db import Base

UUID_PK = UUID(as_uuid=True)


class Campaign(Base):
    """A drive to hear from many people, e.g. "10,000 Conversations"."""

    __tablename__ = "conversation_campaigns"

    id: Mapped[uuid.UUID] = mapped_column(UUID_PK, primary_key=True, default=uuid.uuid4)
    name_en: Mapped[str] = mapped_column(String(200), nullable=False)
    name_cy: Mapped[str | None] = mapped_column(String(200))
    target: Mapped[int] = mapped_column(Integer, nullable=False)
    starts_on: Mapped[date | None] = mapped_column(Date)
    ends_on: Mapped[date | None] = mapped_column(Date)
    # Share of conversations a second coder codes again, to measure agreement.
    double_coding_share: Mapped[float] = mapped_column(Float, nullable=False)
    # Bumped by every change to the codebook (themes added, merged, retired).
    codebook_version: Mapped[int] = mapped_column(Integer, nullable=False, default=1)
    created_at: Mapped[datetime] = mapped_column(
        DateTime(timezone=True), nullable=False, server_default=func.now()
    )


class CampaignCountyTarget(Base):
    """A county's own target; counties without one get a population share of the total."""

    __tablename__ = "conversation_county_targets"

    campaign_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("conversation_campaigns.id", ondelete="CASCADE"), primary_key=True
    )
    county_code: Mapped[str] = mapped_column(ForeignKey("counties.code"), primary_key=True)
    target: Mapped[int] = mapped_column(Integer, nullable=False)


class QuestionSet(Base):
    """One published version of a campaign's questions; never changed once published."""

    __tablename__ = "conversation_question_sets"
    __table_args__ = (UniqueConstraint("campaign_id", "version"),)

    id: Mapped[uuid.UUID] = mapped_column(UUID_PK, primary_key=True, default=uuid.uuid4)
    campaign_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("conversation_campaigns.id", ondelete="CASCADE"), nullable=False
    )
    version: Mapped[int] = mapped_column(Integer, nullable=False)
    published_at: Mapped[datetime] = mapped_column(
        DateTime(timezone=True), nullable=False, server_default=func.now()
    )


class Question(Base):
    __tablename__ = "conversation_questions"

    question_set_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("conversation_question_sets.id", ondelete="CASCADE"), primary_key=True
    )
    # Stable across versions, so reports can span them.
    key: Mapped[str] = mapped_column(String(64), primary_key=True)
    position: Mapped[int] = mapped_column(Integer, nullable=False)
    type: Mapped[str] = mapped_column(String(16), nullable=False)
    required: Mapped[bool] = mapped_column(Boolean, nullable=False)
    text_en: Mapped[str] = mapped_column(Text, nullable=False)
    text_cy: Mapped[str | None] = mapped_column(Text)
    # [{"key", "en", "cy"}] for the choice types; empty otherwise.
    choices: Mapped[list[dict[str, Any]]] = mapped_column(JSONB, nullable=False, default=list)


class Conversation(Base):
    """One conversation: consent, a banded profile, coarse place and the answers."""

    __tablename__ = "conversations"
    __table_args__ = (
        # Progress reads only these columns: an index-only scan, never the wide rows.
        Index(
            "ix_conversations_campaign_id_county_code",
            "campaign_id",
            "county_code",
            postgresql_include=["community_id", "channel", "language", "collected_at", "age_band"],
        ),
        Index("ix_conversations_community_id", "community_id"),
        # Listing and the coding queue walk a campaign in this order, a page at a time.
        Index("ix_conversations_campaign_id_collected_at_id", "campaign_id", "collected_at", "id"),
        # Second codings still to do, per coder; new conversations (no second coder) stay
        # out of it, so recording them does not pay for it.
        Index(
            "ix_conversations_second_coder_id_pending",
            "second_coder_id",
            postgresql_where=text("second_coder_id IS NOT NULL AND second_coded_at IS NULL"),
        ),
    )

    # Made by the phone, so a batch sent twice is recognised.
    id: Mapped[uuid.UUID] = mapped_column(UUID_PK, primary_key=True)
    campaign_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("conversation_campaigns.id"), nullable=False
    )
    question_set_version: Mapped[int] = mapped_column(Integer, nullable=False)
    reference_code: Mapped[str] = mapped_column(String(16), nullable=False, unique=True)
    collected_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), nullable=False)
    recorded_by: Mapped[uuid.UUID] = mapped_column(UUID_PK, nullable=False)
    channel: Mapped[str] = mapped_column(String(16), nullable=False)
    language: Mapped[str] = mapped_column(String(2), nullable=False)
    county_code: Mapped[str] = mapped_column(ForeignKey("counties.code"), nullable=False)
    community_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("communities.id"))
    # A 1 km British National Grid square, only where no community contains the point.
    grid_ref: Mapped[str | None] = mapped_column(String(16))
    may_contact: Mapped[bool] = mapped_column(Boolean, nullable=False)
    may_quote: Mapped[bool] = mapped_column(Boolean, nullable=False)
    age_band: Mapped[str | None] = mapped_column(String(16))
    gender: Mapped[str | None] = mapped_column(String(32))
    postcode_district: Mapped[str | None] = mapped_column(String(4))
    welsh_speaker: Mapped[bool | None] = mapped_column(Boolean)
    disability: Mapped[bool | None] = mapped_column(Boolean)
    carer: Mapped[bool | None] = mapped_column(Boolean)
    # {question key: text | [choice keys] | 1-5}
    answers: Mapped[dict[str, Any]] = mapped_column(JSONB, nullable=False)
    # {question key: [{"kind", "start", "end"}]}: likely personal data for a coder to redact.
    flags: Mapped[dict[str, Any]] = mapped_column(JSONB, nullable=False, default=dict)
    fingerprint: Mapped[str] = mapped_column(String(64), nullable=False)
    double_code: Mapped[bool] = mapped_column(Boolean, nullable=False)
    first_coder_id: Mapped[uuid.UUID | None] = mapped_column(UUID_PK)
    first_coded_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    second_coder_id: Mapped[uuid.UUID | None] = mapped_column(UUID_PK)
    second_coded_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    created_at: Mapped[datetime] = mapped_column(
        DateTime(timezone=True), nullable=False, server_default=func.now()
    )


class ConversationContact(Base):
    """Contact details, kept apart from the answers and never exported."""

    __tablename__ = "conversation_contacts"

    conversation_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("conversations.id", ondelete="CASCADE"), primary_key=True
    )
    name: Mapped[str | None] = mapped_column(String(200))
    email: Mapped[str | None] = mapped_column(String(320))
    phone: Mapped[str | None] = mapped_column(String(32))


class Withdrawal(Base):
    """What is left of a withdrawn conversation: a digest of its client id (so a phone that
    sends it again cannot bring it back) and the campaign, for the totals. Nothing else."""

    __tablename__ = "conversation_withdrawals"

    id_digest: Mapped[str] = mapped_column(String(64), primary_key=True)
    campaign_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("conversation_campaigns.id", ondelete="CASCADE"), nullable=False, index=True
    )


class Theme(Base):
    """A code of a campaign's codebook: a theme, or a sub-theme under one (two levels)."""

    __tablename__ = "conversation_themes"
    __table_args__ = (UniqueConstraint("campaign_id", "key"),)

    id: Mapped[uuid.UUID] = mapped_column(UUID_PK, primary_key=True, default=uuid.uuid4)
    campaign_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("conversation_campaigns.id", ondelete="CASCADE"), nullable=False
    )
    parent_id: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("conversation_themes.id"), index=True
    )
    key: Mapped[str] = mapped_column(String(64), nullable=False)
    label_en: Mapped[str] = mapped_column(String(200), nullable=False)
    label_cy: Mapped[str | None] = mapped_column(String(200))
    description_en: Mapped[str | None] = mapped_column(Text)
    description_cy: Mapped[str | None] = mapped_column(Text)
    # Words that suggest this theme for an uncoded conversation (never a coding by itself).
    keywords: Mapped[list[str]] = mapped_column(ARRAY(Text), nullable=False, default=list)
    added_in: Mapped[int] = mapped_column(Integer, nullable=False)
    retired_in: Mapped[int | None] = mapped_column(Integer)
    merged_into_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("conversation_themes.id"))


class Coding(Base):
    """One coder's judgement that a theme applies to one answer. Round 1 is the first
    coder's, round 2 the second coder's; they never overwrite each other."""

    __tablename__ = "conversation_codings"
    __table_args__ = (
        UniqueConstraint(
            "conversation_id",
            "round",
            "theme_id",
            "question_key",
            name="uq_conversation_codings_one",
        ),
        # A theme's codings in a stable order: reports take the first few quotes from it.
        Index("ix_conversation_codings_theme_id_id", "theme_id", "id"),
    )

    id: Mapped[uuid.UUID] = mapped_column(UUID_PK, primary_key=True, default=uuid.uuid4)
    conversation_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("conversations.id", ondelete="CASCADE"), nullable=False
    )
    round: Mapped[int] = mapped_column(SmallInteger, nullable=False)
    coder_id: Mapped[uuid.UUID] = mapped_column(UUID_PK, nullable=False)
    theme_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("conversation_themes.id"), nullable=False
    )
    question_key: Mapped[str] = mapped_column(String(64), nullable=False)
    excerpt: Mapped[str | None] = mapped_column(Text)


class Tally(Base):
    """How many of a campaign's conversations in one county have one value of one dimension
    (county, community, channel, language, week, age band): what progress reads instead of
    counting the conversations. Kept in the transaction of every write and erasure."""

    __tablename__ = "conversation_tallies"

    campaign_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("conversation_campaigns.id", ondelete="CASCADE"), primary_key=True
    )
    county_code: Mapped[str] = mapped_column(String(32), primary_key=True)
    dimension: Mapped[str] = mapped_column(String(16), primary_key=True)
    # The value as text; '' where the conversation has none (no community, no age band).
    value: Mapped[str] = mapped_column(String(64), primary_key=True)
    n: Mapped[int] = mapped_column(Integer, nullable=False)


class ThemeTally(Base):
    """In how many of a campaign's first-coded conversations with one combination of the
    theme report's filter values (county, community, age band, language, channel) a theme
    was coded, a theme counting the conversations of its sub-themes once each; theme NULL
    counts the coded conversations themselves (the shares' denominator). Kept in the
    transaction of every coding, merge and erasure, so a report of any filter is a sum
    over a few thousand rows, not a count of every coding."""

    __tablename__ = "conversation_theme_tallies"
    __table_args__ = (
        # NULL is a value here (no community, no age band, the coded conversations), so
        # ON CONFLICT finds the one row of each combination.
        UniqueConstraint(
            "campaign_id",
            "theme_id",
            "county_code",
            "community_id",
            "age_band",
            "language",
            "channel",
            name="uq_conversation_theme_tallies_grain",
            postgresql_nulls_not_distinct=True,
        ),
    )

    id: Mapped[int] = mapped_column(BigInteger, Identity(), primary_key=True)
    campaign_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("conversation_campaigns.id", ondelete="CASCADE"), nullable=False
    )
    theme_id: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("conversation_themes.id", ondelete="CASCADE")
    )
    county_code: Mapped[str] = mapped_column(String(32), nullable=False)
    community_id: Mapped[uuid.UUID | None] = mapped_column(UUID_PK)
    age_band: Mapped[str | None] = mapped_column(String(16))
    language: Mapped[str] = mapped_column(String(2), nullable=False)
    channel: Mapped[str] = mapped_column(String(16), nullable=False)
    n: Mapped[int] = mapped_column(Integer, nullable=False)
