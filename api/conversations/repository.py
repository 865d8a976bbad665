"""Every SQL statement of the conversations domain."""

from __future__ import annotations

import functools
import uuid
from collections.abc import AsyncIterator, Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

import asyncpg
import orjson
from sqlalchemy import (
    Column,
    String,
    case,
    cast,
    delete,
    func,
    insert,
    literal,
    select,
    text,
    true,
    tuple_,
    union_all,
    update,
)
from sqlalchemy.dialects import postgresql
from sqlalchemy.dialects.postgresql import ARRAY
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncSession
from sqlalchemy.orm import aliased

from api.audit import repository as audit_repository
from api.conversations.models import (
    Campaign,
    CampaignCountyTarget,
    Coding,
    Conversation,
    ConversationContact,
    Question,
    QuestionSet,
    Tally,
    Theme,
    ThemeTally,
    Withdrawal,
)
from api.db import RequestSession
from api.places.models import Community
from api.read_only import outage_is_unavailable
from api.shared.label_order import label_in
from api.shared.language import Language

# --- campaigns and questions ---------------------------------------------------------------


def add_campaign(session: AsyncSession, campaign: Campaign) -> None:
    session.add(campaign)


async def add_county_targets(session: AsyncSession, rows: list[dict[str, Any]]) -> None:
    if rows:
        await session.execute(insert(CampaignCountyTarget), rows)


async def add_question_set(
    session: AsyncSession, campaign_id: uuid.UUID, questions: list[dict[str, Any]]
) -> QuestionSet:
    """The next version of a campaign's questions, numbered under a row lock on the campaign
    so two publishers cannot both make the same version."""
    await session.execute(select(Campaign.id).where(Campaign.id == campaign_id).with_for_update())
    latest = await session.scalar(
        select(func.coalesce(func.max(QuestionSet.version), 0)).where(
            QuestionSet.campaign_id == campaign_id
        )
    )
    question_set = QuestionSet(id=uuid.uuid4(), campaign_id=campaign_id, version=latest + 1)
    session.add(question_set)
    await session.flush()
    await session.execute(
        insert(Question), [{**q, "question_set_id": question_set.id} for q in questions]
    )
    return question_set


async def campaigns(session: AsyncSession) -> Sequence[Campaign]:
    return (
        await session.scalars(select(Campaign).order_by(Campaign.created_at, Campaign.id))
    ).all()


async def campaigns_by_id(
    session: AsyncSession, ids: Iterable[uuid.UUID]
) -> dict[uuid.UUID, Campaign]:
    rows = await session.scalars(select(Campaign).where(Campaign.id.in_(list(ids))))
    return {c.id: c for c in rows.all()}


async def county_targets(
    session: AsyncSession, campaign_ids: Sequence[uuid.UUID]
) -> dict[uuid.UUID, dict[str, int]]:
    rows = await session.execute(
        select(
            CampaignCountyTarget.campaign_id,
            CampaignCountyTarget.county_code,
            CampaignCountyTarget.target,
        ).where(CampaignCountyTarget.campaign_id.in_(campaign_ids))
    )
    found: dict[uuid.UUID, dict[str, int]] = {i: {} for i in campaign_ids}
    for campaign_id, code, target in rows.all():
        found[campaign_id][code] = target
    return found


@dataclass(frozen=True)
class QuestionSetRow:
    campaign_id: uuid.UUID
    version: int
    published_at: Any
    questions: list[Question]


async def question_sets(
    session: AsyncSession,
    campaign_ids: Sequence[uuid.UUID],
    versions: Sequence[tuple[uuid.UUID, int]] | None = None,
) -> dict[tuple[uuid.UUID, int], QuestionSetRow]:
    """Question sets of these campaigns (only the given (campaign, version) pairs, if any),
    with their questions in order, in one statement."""
    query = (
        select(QuestionSet.campaign_id, QuestionSet.version, QuestionSet.published_at, Question)
        .join(Question, Question.question_set_id == QuestionSet.id)
        .where(QuestionSet.campaign_id.in_(campaign_ids))
        .order_by(QuestionSet.campaign_id, QuestionSet.version, Question.position)
    )
    if versions is not None:
        query = query.where(tuple_(QuestionSet.campaign_id, QuestionSet.version).in_(versions))
    found: dict[tuple[uuid.UUID, int], QuestionSetRow] = {}
    for campaign_id, version, published_at, question in (await session.execute(query)).all():
        key = (campaign_id, version)
        if key not in found:
            found[key] = QuestionSetRow(campaign_id, version, published_at, [])
        found[key].questions.append(question)
    return found


# --- capture -------------------------------------------------------------------------------

# = ANY(one array), not IN (one parameter per id): the same statement text whatever the
# batch size, prepared once; text, so the driver sends the arrays as they are.
_STORED_IDENTITIES = text(
    """
    SELECT CAST(id AS text), fingerprint, reference_code FROM conversations
    WHERE id = ANY(CAST(:ids AS uuid[]))
    UNION ALL
    SELECT id_digest, NULL, NULL FROM conversation_withdrawals
    WHERE id_digest = ANY(CAST(:digests AS text[]))
    """
)


@dataclass(frozen=True)
class StoredIdentity:
    fingerprint: str
    reference_code: str


async def stored_identities(
    session: AsyncSession, ids: Sequence[uuid.UUID], digests: Sequence[str]
) -> tuple[dict[uuid.UUID, StoredIdentity], set[str]]:
    """Conversations already stored under these ids, and which digests were withdrawn; one
    statement."""
    rows = await session.execute(_STORED_IDENTITIES, {"ids": ids, "digests": digests})
    found: dict[uuid.UUID, StoredIdentity] = {}
    withdrawn: set[str] = set()
    for key, fp, code in rows.all():
        if fp is None:
            withdrawn.add(key)
        else:
            found[uuid.UUID(key)] = StoredIdentity(fp, code)
    return found, withdrawn


# --- tallies (what progress counts) -------------------------------------------------------

# Each conversation's value of each tallied dimension, for a conversation row `c`. Weeks
# are named by their Monday (UTC); progress labels them as ISO weeks.
TALLIED = """(VALUES
    ('county', c.county_code),
    ('community', CAST(c.community_id AS text)),
    ('channel', c.channel),
    ('language', c.language),
    ('week', CAST(CAST(date_trunc('week', c.collected_at AT TIME ZONE 'UTC') AS date) AS text)),
    ('age_band', c.age_band)
) AS d(dimension, value)"""


def _tally(rows: str, sign: str) -> str:
    """The conversations of CTE `rows` added to (sign '+') or taken from ('-') their
    campaigns' tallies. In key order, whatever the plan, so every writer (batches and
    withdrawals alike) locks tally rows in the same order: one waits for the other's
    commit, they never deadlock."""
    return f"""
    INSERT INTO conversation_tallies (campaign_id, county_code, dimension, value, n)
    SELECT c.campaign_id, c.county_code, d.dimension, coalesce(d.value, ''), {sign}count(*)
    FROM {rows} c CROSS JOIN LATERAL {TALLIED}
    GROUP BY 1, 2, 3, 4
    ORDER BY 1, 2, 3, 4
    ON CONFLICT (campaign_id, county_code, dimension, value)
    DO UPDATE SET n = conversation_tallies.n + excluded.n
"""


# Each conversation an INSERT returned (as CTE `c`), audited as a new record.
_AUDIT_INSERTED = audit_repository.new_records_sql(
    "c",
    "CAST(c.id AS text)",
    {"campaign_id": "c.campaign_id", "county_code": "c.county_code"},
)


# What the tallies and the audit read of each stored conversation.
_COUNTED = "id, campaign_id, county_code, community_id, channel, language, collected_at, age_band"


@functools.cache
def _written_columns() -> list[Column[Any]]:
    """The columns a batch writes (not those the database fills). Taken on first use, once
    foreign-key columns have taken their referred column's type."""
    return [c for c in Conversation.__table__.columns if c.server_default is None]


# Rows just copied in, read back (by id), counted and audited by one statement.
_TALLY_COPIED = text(
    f"""
    WITH c AS (SELECT {_COUNTED} FROM conversations WHERE id = ANY(CAST(:ids AS uuid[]))),
    tallied AS ({_tally("c", "+")}),
    audited AS ({_AUDIT_INSERTED})
    SELECT count(*) FROM c
    """
)


@functools.cache
def _insert_and_tally_sql() -> Any:
    """INSERT ... SELECT FROM jsonb_to_recordset(one JSON array of the rows): a whole batch
    as one statement with one parameter, whatever the batch size. One JSON text costs a
    fraction of one array per column, which the driver checks element by element. Text
    columns are read as text, so the INSERT's own cast still refuses an over-long value.
    The rows it wrote are counted in the tallies and audited by the same statement, from
    what it returns rather than by reading them back. Built on first use, once foreign-key
    columns have taken their referred column's type."""
    dialect = postgresql.dialect()
    columns = _written_columns()
    names = ", ".join(c.name for c in columns)
    record = ", ".join(
        f"{c.name} {'text' if isinstance(c.type, String) else c.type.compile(dialect)}"
        for c in columns
    )
    return text(
        f"""
        WITH c AS (
            INSERT INTO conversations ({names})
            SELECT {names} FROM jsonb_to_recordset(CAST(:rows AS jsonb)) AS r({record})
            ON CONFLICT DO NOTHING
            RETURNING {_COUNTED}
        ),
        tallied AS ({_tally("c", "+")}),
        audited AS ({_AUDIT_INSERTED})
        SELECT id FROM c
        """
    )


async def insert_conversations(
    session: RequestSession, rows: list[dict[str, Any]], audit: dict[str, Any]
) -> set[uuid.UUID]:
    """Insert, counting them in their campaigns' tallies and leaving an audit entry for
    each (`audit`: the audit's parameters); rows whose id or reference code is already
    taken are skipped (their ids are not in the result, nor counted, nor audited). A row's
    keys are column names; columns it leaves out are NULL.

    Most batches are copied in (COPY, binary) and then counted and audited by one
    statement: the copy costs the database about two thirds of an INSERT of the same rows.
    A batch with a row taken meanwhile (a resend racing its first send, a reference code
    drawn twice) fails to copy, leaving nothing, and is inserted by the statement that
    skips such rows."""
    if not rows:
        return set()
    if await _copied(session, rows, audit):
        return {r["id"] for r in rows}
    # default=str: ids read back by asyncpg are its own UUID class, which orjson does not know.
    rows_json = orjson.dumps(rows, default=str).decode()
    result = await session.execute(_insert_and_tally_sql(), {"rows": rows_json, **audit})
    return set(result.scalars().all())


async def _copied(
    session: RequestSession, rows: list[dict[str, Any]], audit: dict[str, Any]
) -> bool:
    """COPY the rows in, then count and audit them, under one savepoint (so all a batch
    writes is written by one subtransaction); False, with nothing written, when a row's id
    or reference code is taken."""
    columns = _written_columns()
    names = [c.name for c in columns]
    # JSON columns go as text, as SQLAlchemy's codec for them on these connections takes it.
    json_at = [n for n, c in enumerate(columns) if isinstance(c.type, postgresql.JSONB)]
    records = []
    for row in rows:
        values = [row.get(name) for name in names]
        for n in json_at:
            if values[n] is not None:
                values[n] = orjson.dumps(values[n]).decode()
        records.append(values)

    async def copy(driver: asyncpg.Connection, pooled: AsyncConnection) -> None:
        async with outage_is_unavailable(driver, pooled.invalidate):
            await driver.copy_records_to_table(
                Conversation.__tablename__, records=records, columns=names
            )

    try:
        async with session.begin_nested():
            await session.on_driver(copy)
            await session.execute(_TALLY_COPIED, {"ids": [r["id"] for r in rows], **audit})
    except asyncpg.UniqueViolationError:
        return False
    return True


async def insert_contacts(session: AsyncSession, rows: list[dict[str, Any]]) -> None:
    if rows:
        await session.execute(insert(ConversationContact), rows)


# --- theme tallies (what the theme report counts) ------------------------------------------

THEME_GRAIN = "campaign_id, theme_id, county_code, community_id, age_band, language, channel"
# Rows are written in key order (NULLs last, as ORDER BY puts them), so concurrent writers
# lock tally rows in the same order: one waits for the other's commit, never a deadlock.
_ADD_TO_THEME_GRAIN = f"""
    ORDER BY 1, 2, 3, 4, 5, 6, 7
    ON CONFLICT ({THEME_GRAIN})
    DO UPDATE SET n = conversation_theme_tallies.n + excluded.n"""


def _theme_pairs(conversation_ids: str) -> str:
    """The distinct (conversation, theme) pairs the theme report counts, of the
    conversations the SQL `conversation_ids` selects: each theme the first coder applied,
    with a sub-theme's parent theme, and (conversation, NULL) for a first-coded
    conversation itself."""
    return f"""
        SELECT k.conversation_id, x.theme_id
        FROM conversation_codings k
        JOIN conversation_themes t ON t.id = k.theme_id
        CROSS JOIN LATERAL (VALUES (t.id), (t.parent_id)) AS x(theme_id)
        WHERE k.round = 1 AND x.theme_id IS NOT NULL
          AND k.conversation_id IN ({conversation_ids})
        UNION
        SELECT id, NULL FROM conversations
        WHERE first_coded_at IS NOT NULL AND id IN ({conversation_ids})"""


def _tally_theme_pairs(conversation_ids: str, sign: str) -> str:
    """Add (sign '+') or take away (sign '-') the theme pairs of these conversations."""
    return f"""
    INSERT INTO conversation_theme_tallies ({THEME_GRAIN}, n)
    SELECT c.campaign_id, p.theme_id, c.county_code, c.community_id, c.age_band, c.language,
           c.channel, {sign}count(*)
    FROM ({_theme_pairs(conversation_ids)}) AS p(conversation_id, theme_id)
    JOIN conversations c ON c.id = p.conversation_id
    GROUP BY 1, 2, 3, 4, 5, 6, 7 {_ADD_TO_THEME_GRAIN}"""


_RECOUNT_THEME_TALLIES = text(
    _tally_theme_pairs("SELECT id FROM conversations WHERE campaign_id = :campaign_id", "+")
)

# Conversations first-coded with a theme or sub-theme of `a` or `b`: the same set before
# and after a merge of one into the other moves their codings and sub-themes.
_CODED_WITH_EITHER = """
    SELECT k.conversation_id FROM conversation_codings k
    JOIN conversation_themes t ON t.id = k.theme_id
    WHERE k.round = 1 AND (t.id IN (:a, :b) OR t.parent_id IN (:a, :b))"""
_TALLY_EITHER = {sign: text(_tally_theme_pairs(_CODED_WITH_EITHER, sign)) for sign in "+-"}

_CHANGE_THEME_TALLIES = text(
    f"""
    INSERT INTO conversation_theme_tallies ({THEME_GRAIN}, n)
    SELECT c.campaign_id, d.theme_id, c.county_code, c.community_id, c.age_band, c.language,
           c.channel, d.delta
    FROM conversations c,
         unnest(CAST(:themes AS uuid[]), CAST(:deltas AS int[])) AS d(theme_id, delta)
    WHERE c.id = :id {_ADD_TO_THEME_GRAIN}
    """
)


async def recount_theme_tallies(session: AsyncSession, campaign_id: uuid.UUID) -> None:
    """Count a campaign's theme tallies afresh from its codings."""
    await session.execute(delete(ThemeTally).where(ThemeTally.campaign_id == campaign_id))
    await session.execute(_RECOUNT_THEME_TALLIES, {"campaign_id": campaign_id})


async def tally_coded_with_either(
    session: AsyncSession, a: uuid.UUID, b: uuid.UUID, *, sign: str
) -> None:
    """Take away ('-') or add ('+') every pair of the conversations coded with either theme
    (or a sub-theme of either): around a change to their codings or the themes' parents."""
    await session.execute(_TALLY_EITHER[sign], {"a": a, "b": b})


async def change_theme_tallies(
    session: AsyncSession, conversation_id: uuid.UUID, deltas: dict[uuid.UUID | None, int]
) -> None:
    """Add each delta to the tally of its theme (None: the coded conversations) in the
    conversation's filter values; one statement."""
    if deltas:
        themes = list(deltas)
        await session.execute(
            _CHANGE_THEME_TALLIES,
            {"id": conversation_id, "themes": themes, "deltas": [deltas[t] for t in themes]},
        )


async def erase(
    session: AsyncSession,
    *,
    conversation_id: uuid.UUID | None = None,
    reference_code: str | None = None,
) -> uuid.UUID | None:
    """Lock one conversation, then delete it (answers, codings and contact details go
    with it), take it off the tallies and leave its tombstone in one statement: the same
    statements whether or not it exists, so the work done is the same for a known and an
    unknown code."""
    which = (
        Conversation.id == conversation_id
        if conversation_id is not None
        else Conversation.reference_code == reference_code
    )
    await _lock(session, which, Conversation.id)
    where = "id = :id" if conversation_id is not None else "reference_code = :code"
    row = await session.execute(
        text(
            f"""
            WITH gone AS (DELETE FROM conversations c WHERE {where} RETURNING c.*),
            untallied AS ({_tally("gone", "-")}),
            -- Every statement of a WITH sees the rows as they were before it, codings too.
            untallied_themes AS ({_tally_theme_pairs("SELECT id FROM gone", "-")})
            INSERT INTO conversation_withdrawals (id_digest, campaign_id)
            SELECT encode(sha256(CAST(CAST(id AS text) AS bytea)), 'hex'), campaign_id FROM gone
            RETURNING (SELECT id FROM gone)
            """
        ),
        {"id": conversation_id, "code": reference_code},
    )
    return row.scalar()


async def conversation(session: AsyncSession, conversation_id: uuid.UUID) -> Conversation | None:
    return await session.get(Conversation, conversation_id)


async def _lock(session: AsyncSession, which: Any, *columns: Any) -> Any:
    """Lock the conversation `which` selects until commit, against coders and erasure, and
    return its `columns`. Before it, share-lock its campaign against codebook changes: a
    merge moves codings between themes, and its tally counts and a coding's or erasure's
    must not miss each other. The campaign comes first because a merge holds it while it
    writes codings that refer to conversations. Statements after this one see the rows as
    the others committed them."""
    campaign = select(Conversation.campaign_id).where(which).scalar_subquery()
    await session.execute(
        select(Campaign.id).where(Campaign.id == campaign).with_for_update(read=True)
    )
    return (await session.execute(select(*columns).where(which).with_for_update())).first()


async def conversation_for_update(
    session: AsyncSession, conversation_id: uuid.UUID
) -> Conversation | None:
    found = await _lock(session, Conversation.id == conversation_id, Conversation)
    return found[0] if found else None


async def set_answer(
    session: AsyncSession,
    conversation_id: uuid.UUID,
    question_key: str,
    value: str,
    flags: list[dict[str, Any]],
) -> None:
    await session.execute(
        update(Conversation)
        .where(Conversation.id == conversation_id)
        .values(
            answers=Conversation.answers.op("||")(func.jsonb_build_object(question_key, value)),
            flags=Conversation.flags.op("||")(
                func.jsonb_build_object(question_key, func.cast(flags, Conversation.flags.type))
            ),
        )
    )


async def redact_excerpts(
    session: AsyncSession, conversation_id: uuid.UUID, question_key: str, removed: str, marker: str
) -> None:
    await session.execute(
        update(Coding)
        .where(Coding.conversation_id == conversation_id, Coding.question_key == question_key)
        .values(excerpt=func.replace(Coding.excerpt, removed, marker))
    )


async def contacts(
    session: AsyncSession, ids: Sequence[uuid.UUID]
) -> list[tuple[str, ConversationContact]]:
    """Contact details of these conversations, each with its conversation's county."""
    rows = await session.execute(
        select(Conversation.county_code, ConversationContact)
        .join(Conversation, Conversation.id == ConversationContact.conversation_id)
        .where(ConversationContact.conversation_id.in_(ids))
    )
    return [(county, contact) for county, contact in rows.all()]


# --- codebook ------------------------------------------------------------------------------


async def bump_codebook(session: AsyncSession, campaign_id: uuid.UUID) -> int:
    """The campaign's next codebook version (the row lock orders concurrent changes)."""
    return await session.scalar(
        update(Campaign)
        .where(Campaign.id == campaign_id)
        .values(codebook_version=Campaign.codebook_version + 1)
        .returning(Campaign.codebook_version)
    )


def add_theme(session: AsyncSession, theme: Theme) -> None:
    session.add(theme)


async def key_taken(session: AsyncSession, campaign_id: uuid.UUID, key: str) -> bool:
    found = await session.scalar(
        select(Theme.id).where(Theme.campaign_id == campaign_id, Theme.key == key)
    )
    return found is not None


async def themes_by_id(session: AsyncSession, ids: Iterable[uuid.UUID]) -> dict[uuid.UUID, Theme]:
    rows = await session.scalars(select(Theme).where(Theme.id.in_(list(ids))))
    return {t.id: t for t in rows.all()}


async def themes_of(
    session: AsyncSession, campaign_id: uuid.UUID, language: Language = Language.EN
) -> Sequence[Theme]:
    """A campaign's codebook: themes, then each theme's sub-themes, by label in
    `language`."""
    return (
        await session.scalars(
            select(Theme)
            .where(Theme.campaign_id == campaign_id)
            .order_by(
                Theme.parent_id.is_not(None),
                label_in(language, Theme.label_en, Theme.label_cy),
                Theme.id,
            )
        )
    ).all()


async def merge_theme(session: AsyncSession, source: Theme, survivor: Theme, version: int) -> None:
    """Move the source's codings (and sub-themes) to the survivor, then retire the source.
    A coding the survivor already has for the same answer and round is not doubled; the
    theme tallies of the conversations coded with either are counted again around it."""
    await tally_coded_with_either(session, source.id, survivor.id, sign="-")
    moved = select(
        func.gen_random_uuid(),
        Coding.conversation_id,
        Coding.round,
        Coding.coder_id,
        Coding.question_key,
        Coding.excerpt,
        literal(survivor.id, Coding.theme_id.type),
    ).where(Coding.theme_id == source.id)
    await session.execute(
        pg_insert(Coding)
        .from_select(
            ["id", "conversation_id", "round", "coder_id", "question_key", "excerpt", "theme_id"],
            moved,
        )
        .on_conflict_do_nothing()
    )
    await session.execute(delete(Coding).where(Coding.theme_id == source.id))
    await session.execute(
        update(Theme).where(Theme.parent_id == source.id).values(parent_id=survivor.id)
    )
    await session.execute(
        update(Theme)
        .where(Theme.id == source.id)
        .values(retired_in=version, merged_into_id=survivor.id)
    )
    await tally_coded_with_either(session, source.id, survivor.id, sign="+")


async def retire_theme(session: AsyncSession, theme_id: uuid.UUID, version: int) -> None:
    await session.execute(update(Theme).where(Theme.id == theme_id).values(retired_in=version))


# --- coding --------------------------------------------------------------------------------


async def replace_codings(
    session: AsyncSession,
    conversation_id: uuid.UUID,
    round_: int,
    coder_id: uuid.UUID,
    rows: list[dict[str, Any]],
) -> list[tuple[uuid.UUID, uuid.UUID | None]]:
    """A coder's codings of one round replace their earlier ones; the other round's stay.
    Returns the (theme, parent theme) of each coding replaced."""
    removed = await session.execute(
        delete(Coding)
        .where(
            Coding.conversation_id == conversation_id,
            Coding.round == round_,
            Coding.theme_id == Theme.id,
        )
        .returning(Coding.theme_id, Theme.parent_id)
    )
    replaced = [(theme_id, parent_id) for theme_id, parent_id in removed.all()]
    if rows:
        await session.execute(
            insert(Coding),
            [
                {
                    **r,
                    "id": uuid.uuid4(),
                    "conversation_id": conversation_id,
                    "round": round_,
                    "coder_id": coder_id,
                }
                for r in rows
            ],
        )
    return replaced


async def mark_coded(
    session: AsyncSession, conversation_id: uuid.UUID, values: dict[str, Any]
) -> None:
    await session.execute(
        update(Conversation).where(Conversation.id == conversation_id).values(**values)
    )


async def coding_queue(
    session: AsyncSession,
    campaign_id: uuid.UUID,
    coder_id: uuid.UUID,
    counties: frozenset[str] | None,
    limit: int,
) -> list[tuple[int, Conversation]]:
    """A coder's next conversations: the second codings given to them, then uncoded ones,
    oldest first; (round, conversation) pairs. Each kind is read in index order only as
    far as the page needs."""

    def oldest(round_: int, *where: Any) -> Any:
        return (
            select(literal(round_).label("round"), Conversation.id, Conversation.collected_at)
            .where(*_in_scope(campaign_id, counties), *where)
            .order_by(Conversation.collected_at, Conversation.id)
            .limit(limit)
        )

    both = union_all(
        oldest(2, Conversation.second_coder_id == coder_id, Conversation.second_coded_at.is_(None)),
        oldest(1, Conversation.first_coder_id.is_(None)),
    ).subquery()
    query = (
        select(both.c.round, Conversation)
        .join(Conversation, Conversation.id == both.c.id)
        .order_by(both.c.round.desc(), both.c.collected_at, both.c.id)
        .limit(limit)
    )
    return [(r, c) for r, c in (await session.execute(query)).all()]


async def second_codings_given_to(session: AsyncSession, coder_id: uuid.UUID) -> list[Conversation]:
    """The second codings given to a coder and not yet done, locked against a coding or a
    reassignment of them until commit (FOR NO KEY UPDATE: codings referring to them may
    still be written)."""
    query = (
        select(Conversation)
        .where(Conversation.second_coder_id == coder_id, Conversation.second_coded_at.is_(None))
        .order_by(Conversation.id)
        .with_for_update(key_share=True)
    )
    return list((await session.scalars(query)).all())


async def second_codings_waiting(
    session: AsyncSession,
    campaign_id: uuid.UUID,
    counties: frozenset[str] | None,
    able: Sequence[tuple[uuid.UUID, str | None]],
    limit: int,
) -> list[tuple[str, Conversation]]:
    """First-coded, double-coded conversations whose second coding nobody can do: none
    was given, or the coder given it is not among `able` ((user, county or None for every
    county) of all who may code) for its county; (reason, conversation), longest waiting
    first."""
    pairs = select(
        func.unnest(literal([u for u, _ in able], ARRAY(Conversation.id.type))).label("user_id"),
        func.unnest(literal([c for _, c in able], ARRAY(String))).label("county"),
    ).subquery()
    can_code = (
        select(pairs.c.user_id)
        .where(
            pairs.c.user_id == Conversation.second_coder_id,
            pairs.c.county.is_(None) | (pairs.c.county == Conversation.county_code),
        )
        .exists()
    )
    reason = case((Conversation.second_coder_id.is_(None), "UNASSIGNED"), else_="CODER_CANNOT_CODE")
    query = (
        select(reason, Conversation)
        .where(
            *_in_scope(campaign_id, counties),
            Conversation.double_code,
            Conversation.first_coded_at.is_not(None),
            Conversation.second_coded_at.is_(None),
            ~can_code,
        )
        .order_by(Conversation.first_coded_at, Conversation.id)
        .limit(limit)
    )
    return [(r, c) for r, c in (await session.execute(query)).all()]


async def double_codings(
    session: AsyncSession, campaign_id: uuid.UUID
) -> tuple[list[uuid.UUID], list[tuple[uuid.UUID, int, uuid.UUID]]]:
    """Conversations coded by both coders, and every (conversation, round, theme) coded in
    them; two statements."""
    done = (
        select(Conversation.id)
        .where(
            Conversation.campaign_id == campaign_id,
            Conversation.double_code,
            Conversation.first_coded_at.is_not(None),
            Conversation.second_coded_at.is_not(None),
        )
        .order_by(Conversation.id)
    )
    ids = list((await session.scalars(done)).all())
    rows = await session.execute(
        select(Coding.conversation_id, Coding.round, Coding.theme_id)
        .where(Coding.conversation_id.in_(done))
        .distinct()
    )
    return ids, [tuple(r) for r in rows.all()]


# --- listing -------------------------------------------------------------------------------


async def conversations_page(
    session: AsyncSession,
    campaign_id: uuid.UUID,
    counties: frozenset[str] | None,
    where: Sequence[Any],
    limit: int,
    after: tuple[Any, ...] | None,
) -> tuple[list[Conversation], bool]:
    """Conversations in (collected_at, id) order, `limit` of them after the key `after`;
    and whether more follow."""
    query = (
        select(Conversation)
        .where(*_in_scope(campaign_id, counties), *where)
        .order_by(Conversation.collected_at, Conversation.id)
        .limit(limit + 1)
    )
    if after is not None:
        collected_at, id_ = after
        query = query.where(
            tuple_(Conversation.collected_at, Conversation.id)
            > tuple_(
                literal(collected_at, Conversation.collected_at.type),
                literal(id_, Conversation.id.type),
            )
        )
    rows = list((await session.scalars(query)).all())
    return rows[:limit], len(rows) > limit


async def count_conversations(
    session: AsyncSession,
    campaign_id: uuid.UUID,
    counties: frozenset[str] | None,
    where: Sequence[Any],
) -> int:
    """How many conversations `conversations_page` pages through with the same `where`."""
    query = select(func.count()).select_from(Conversation)
    return int(await session.scalar(query.where(*_in_scope(campaign_id, counties), *where)))


async def tallied_count(
    session: AsyncSession,
    campaign_id: uuid.UUID,
    counties: frozenset[str] | None,
    dimension: str,
    value: str | None,
) -> int:
    """How many conversations have `value` of `dimension` (None: any value, so all of
    them), summed from the tallies (a few rows per county) rather than counted."""
    query = select(func.coalesce(func.sum(Tally.n), 0)).where(
        Tally.campaign_id == campaign_id, Tally.dimension == dimension
    )
    if value is not None:
        query = query.where(Tally.value == value)
    if counties is not None:
        query = query.where(Tally.county_code.in_(counties))
    return int(await session.scalar(query))


async def coded_count(
    session: AsyncSession,
    campaign_id: uuid.UUID,
    counties: frozenset[str] | None,
    where: Sequence[Any],
) -> int:
    """How many first-coded conversations hold `where` (conditions on the theme tallies'
    columns), summed from the theme tallies' coded-conversation rows."""
    query = select(func.coalesce(func.sum(ThemeTally.n), 0)).where(
        ThemeTally.campaign_id == campaign_id, ThemeTally.theme_id.is_(None), *where
    )
    if counties is not None:
        query = query.where(ThemeTally.county_code.in_(counties))
    return int(await session.scalar(query))


@dataclass(frozen=True)
class CodingRow:
    coding: Coding
    county_code: str
    second_coder_id: uuid.UUID | None
    second_coded_at: Any


async def codings_of(session: AsyncSession, ids: Sequence[uuid.UUID]) -> list[CodingRow]:
    """Every coding of these conversations with what deciding who may read it needs; one
    statement."""
    rows = await session.execute(
        select(
            Coding,
            Conversation.county_code,
            Conversation.second_coder_id,
            Conversation.second_coded_at,
        )
        .join(Conversation, Conversation.id == Coding.conversation_id)
        .where(Coding.conversation_id.in_(ids))
        .order_by(Coding.conversation_id, Coding.round, Coding.question_key, Coding.theme_id)
    )
    return [CodingRow(*r) for r in rows.all()]


# --- reports -------------------------------------------------------------------------------


def _in_scope(campaign_id: uuid.UUID, counties: frozenset[str] | None) -> list[Any]:
    where = [Conversation.campaign_id == campaign_id]
    if counties is not None:
        where.append(Conversation.county_code.in_(counties))
    return where


def iso_week(monday: date) -> str:
    year, week, _ = monday.isocalendar()
    return f"{year}-W{week:02d}"


async def progress_counts(
    session: AsyncSession, campaign_id: uuid.UUID, counties: frozenset[str] | None
) -> dict[str, dict[Any, int]]:
    """Conversations counted by county, community, channel, language, ISO week and age
    band, from the tallies (a few hundred rows whatever the campaign's size), in one
    statement: {dimension: {value: count}}, None for no community or no age band."""
    query = (
        select(Tally.dimension, Tally.value, func.sum(Tally.n))
        .where(Tally.campaign_id == campaign_id)
        .group_by(Tally.dimension, Tally.value)
        .having(func.sum(Tally.n) > 0)
    )
    if counties is not None:
        query = query.where(Tally.county_code.in_(counties))
    counts: dict[str, dict[Any, int]] = {
        name: {} for name in ("county", "community", "channel", "language", "week", "age_band")
    }
    for dimension, value, count in (await session.execute(query)).all():
        counts[dimension][_tallied_value(dimension, value)] = int(count)
    return counts


def _tallied_value(dimension: str, value: str) -> Any:
    if not value:
        return None
    if dimension == "community":
        return uuid.UUID(value)
    if dimension == "week":
        return iso_week(date.fromisoformat(value))
    return value


async def withdrawn_count(session: AsyncSession, campaign_id: uuid.UUID) -> int:
    return await session.scalar(
        select(func.count()).select_from(Withdrawal).where(Withdrawal.campaign_id == campaign_id)
    )


@dataclass(frozen=True)
class ThemeCounts:
    coded: int  # coded conversations the filter holds
    themes: dict[uuid.UUID, int]  # of them, how many each theme was coded in
    unfiltered: dict[uuid.UUID, int]  # the same in the scope, whatever the filter


async def theme_counts(
    session: AsyncSession,
    campaign_id: uuid.UUID,
    counties: frozenset[str] | None,
    where: Sequence[Any],
) -> ThemeCounts:
    """How many coded conversations the filter holds (`where`: conditions on the theme
    tallies' columns), and in how many of them each theme was coded (a theme counts a
    conversation once, whether coded with it directly or with its sub-themes), summed from
    the theme tallies in one statement. The first coder's codings are the analysis; the
    second coder's only measure agreement."""
    filtered = func.sum(ThemeTally.n).filter(*where) if where else func.sum(ThemeTally.n)
    query = (
        select(ThemeTally.theme_id, func.coalesce(filtered, 0), func.sum(ThemeTally.n))
        .where(ThemeTally.campaign_id == campaign_id)
        .group_by(ThemeTally.theme_id)
    )
    if counties is not None:
        query = query.where(ThemeTally.county_code.in_(counties))
    counts, unfiltered = {}, {}
    for theme_id, n, everywhere in (await session.execute(query)).all():
        counts[theme_id], unfiltered[theme_id] = int(n), int(everywhere)
    return ThemeCounts(counts.pop(None, 0), counts, unfiltered)


async def quotes(
    session: AsyncSession,
    campaign_id: uuid.UUID,
    counties: frozenset[str] | None,
    where: Sequence[Any],
    per_theme: int,
    theme_ids: Sequence[uuid.UUID],
    *,
    narrow: bool,
) -> list[tuple[uuid.UUID, str, str]]:
    """Up to `per_theme` excerpts for each of these themes from coded conversations the
    filter holds whose respondent agreed to be quoted: (theme id, question key, excerpt),
    each theme's first in coding id order. Two plans give the same rows: each theme's
    codings read in id order only until enough pass the filter; or (`narrow`) the
    conversations the filter holds read first, and their codings ranked per theme."""
    themes = cast(theme_ids, postgresql.ARRAY(Coding.theme_id.type))
    excerpts = [Coding.round == 1, Coding.excerpt.is_not(None)]
    quotable = [
        Conversation.may_quote,
        Conversation.first_coded_at.is_not(None),
        *_in_scope(campaign_id, counties),
        *where,
    ]
    if narrow:
        # The filter's conversations as one array: the codings are then read through
        # their conversation index, never scanned whole.
        hits = select(Conversation.id).where(*quotable).scalar_subquery()
        ranked = (
            select(
                Coding.theme_id,
                Coding.question_key,
                Coding.excerpt,
                Coding.id,
                func.row_number()
                .over(partition_by=Coding.theme_id, order_by=Coding.id)
                .label("place"),
            )
            .where(Coding.conversation_id == func.any(func.array(hits)), *excerpts)
            .subquery()
        )
        query = (
            select(ranked.c.theme_id, ranked.c.question_key, ranked.c.excerpt)
            .where(ranked.c.place <= per_theme, ranked.c.theme_id == func.any(themes))
            .order_by(ranked.c.theme_id, ranked.c.id)
        )
    else:
        wanted = select(func.unnest(themes).label("id")).subquery()
        picked = (
            select(Coding.question_key, Coding.excerpt, Coding.id)
            .join(Conversation, Conversation.id == Coding.conversation_id)
            .where(Coding.theme_id == wanted.c.id, *excerpts, *quotable)
            .order_by(Coding.id)
            .limit(per_theme)
            .lateral()
        )
        query = (
            select(wanted.c.id, picked.c.question_key, picked.c.excerpt)
            .select_from(wanted.join(picked, true()))
            .order_by(wanted.c.id, picked.c.id)
        )
    return [tuple(r) for r in (await session.execute(query)).all()]


# --- export --------------------------------------------------------------------------------

EXPORT_CHUNK = 1000


async def stream_coded(
    session: AsyncSession, campaign_id: uuid.UUID, counties: frozenset[str] | None
) -> AsyncIterator[tuple[Conversation, list[uuid.UUID] | None]]:
    """Coded conversations with the themes their first coder applied, oldest first, read
    through a server-side cursor so an export of any size holds one chunk at a time."""
    themes = (
        select(func.array_agg(func.distinct(Coding.theme_id)))
        .where(Coding.conversation_id == Conversation.id, Coding.round == 1)
        .scalar_subquery()
    )
    result = await session.stream(
        select(Conversation, themes)
        .where(*_in_scope(campaign_id, counties), Conversation.first_coded_at.is_not(None))
        .order_by(Conversation.collected_at, Conversation.id)
        .execution_options(yield_per=EXPORT_CHUNK)
    )
    async for conversation, theme_ids in result:
        yield conversation, theme_ids


# --- figures for other domains (community selection) --------------------------------------


def _homes_within(community_ids: Sequence[uuid.UUID]) -> Any:
    """(target community, home community) pairs: conversations are stored against a
    community of the default set, which counts inside any community (of any set) that
    covers its interior point."""
    target, home = aliased(Community), aliased(Community)
    return (
        select(target.id.label("target_id"), home.id.label("home_id"))
        .join(home, func.ST_Covers(target.geom, func.ST_PointOnSurface(home.geom)))
        .where(target.id.in_(community_ids))
        .subquery()
    )


async def counts_within(
    session: AsyncSession, community_ids: Sequence[uuid.UUID]
) -> dict[uuid.UUID, int]:
    homes = _homes_within(community_ids)
    rows = await session.execute(
        select(homes.c.target_id, func.count(Conversation.id))
        .join(Conversation, Conversation.community_id == homes.c.home_id)
        .group_by(homes.c.target_id)
    )
    return {target: count for target, count in rows.all()}


async def top_themes_within(
    session: AsyncSession, community_ids: Sequence[uuid.UUID], per_community: int
) -> dict[uuid.UUID, list[tuple[Theme, int]]]:
    """The themes (not sub-themes) first-coded in most conversations in each community, a
    theme counting the conversations of its sub-themes once each: summed from the theme
    tallies, not counted from the codings."""
    homes = _homes_within(community_ids)
    counted = (
        select(
            homes.c.target_id,
            ThemeTally.theme_id,
            func.sum(ThemeTally.n).label("n"),
        )
        .join(ThemeTally, ThemeTally.community_id == homes.c.home_id)
        .join(Theme, (Theme.id == ThemeTally.theme_id) & Theme.parent_id.is_(None))
        .group_by(homes.c.target_id, ThemeTally.theme_id)
        .having(func.sum(ThemeTally.n) > 0)
        .subquery()
    )
    ranked = select(
        counted,
        func.row_number()
        .over(partition_by=counted.c.target_id, order_by=(counted.c.n.desc(), counted.c.theme_id))
        .label("place"),
    ).subquery()
    rows = await session.execute(
        select(ranked.c.target_id, Theme, ranked.c.n)
        .join(Theme, Theme.id == ranked.c.theme_id)
        .where(ranked.c.place <= per_community)
        .order_by(ranked.c.target_id, ranked.c.place)
    )
    found: dict[uuid.UUID, list[tuple[Theme, int]]] = {}
    for target, theme, n in rows.all():
        found.setdefault(target, []).append((theme, int(n)))
    return found


def conversation_conditions(
    *,
    on: Any = Conversation,
    county_code: str | None = None,
    community_id: uuid.UUID | None = None,
    channel: str | None = None,
    language: str | None = None,
    age_band: str | None = None,
    coded: bool | None = None,
    collected_since: datetime | None = None,
) -> list[Any]:
    """A listing's or report's filter as SQL conditions on conversations, or on another
    table with the same profile columns (`on`: the theme tallies); None: any."""
    where: list[Any] = []
    for column, value in (
        (on.county_code, county_code),
        (on.community_id, community_id),
        (on.channel, channel),
        (on.language, language),
        (on.age_band, age_band),
    ):
        if value is not None:
            where.append(column == value)
    if coded is not None:  # by a first coder
        first_coded = Conversation.first_coded_at.is_not(None)
        where.append(first_coded if coded else ~first_coded)
    if collected_since is not None:
        where.append(Conversation.collected_at >= collected_since)
    return where
