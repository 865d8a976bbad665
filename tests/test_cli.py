"""`cymuned setup` (what `make run` does before serving) on an empty database, twice;
`cymuned recount-theme-tallies` on codings written outside the API."""

from __future__ import annotations

import asyncio
import os
import subprocess
import sys

from sqlalchemy import func, select, text

from api.conversations.models import Theme, ThemeTally
from api.people.models import User
from api.places.models import Community
from tests.scratch import session_on


def _cymuned(url: str, command: str = "setup") -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("CYMUNED_")}
    env.update(CYMUNED_DATABASE_URL=url, CYMUNED_ENV="development")
    return subprocess.run(
        [sys.executable, "-m", "api.cli", command],
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )


async def _count(url: str, model: type) -> int:
    async with session_on(url) as session:
        return await session.scalar(select(func.count()).select_from(model))


async def test_setup_migrates_loads_and_makes_one_admin(scratch_url: str) -> None:
    first = await asyncio.to_thread(_cymuned, scratch_url)
    assert first.returncode == 0, first.stderr
    assert "First admin: admin@localhost  password: " in first.stdout
    assert "community_sets 2, communities 208" in first.stdout  # 50 MSOAs, 158 wards
    assert await _count(scratch_url, Community) == 208

    again = await asyncio.to_thread(_cymuned, scratch_url)
    assert again.returncode == 0, again.stderr
    assert "First admin" not in again.stdout  # reused, and the password is never shown again
    assert "regions 0, counties 0, lsoas 0, community_sets 0, communities 0, community_lsoas 0" in (
        again.stdout
    )
    assert await _count(scratch_url, User) == 1


async def test_recount_theme_tallies_counts_codings_written_outside_the_api(
    scratch_url: str,
) -> None:
    assert (await asyncio.to_thread(_cymuned, scratch_url)).returncode == 0
    async with session_on(scratch_url) as session:
        campaign = await session.scalar(
            text(
                "INSERT INTO conversation_campaigns (id, name_en, target, double_coding_share, "
                "codebook_version) VALUES (gen_random_uuid(), 'c', 10, 0, 1) RETURNING id"
            )
        )
        # Two conversations, one coded with a sub-theme (so its theme counts too).
        await session.execute(
            text(
                """
                WITH theme AS (
                    INSERT INTO conversation_themes (id, campaign_id, key, label_en, keywords,
                                                     added_in)
                    VALUES (gen_random_uuid(), :c, 'transport', 'Transport', '{}', 1)
                    RETURNING id
                ), sub AS (
                    INSERT INTO conversation_themes (id, campaign_id, parent_id, key, label_en,
                                                     keywords, added_in)
                    SELECT gen_random_uuid(), :c, id, 'buses', 'Buses', '{}', 1 FROM theme
                    RETURNING id
                ), made AS (
                    INSERT INTO conversations (id, campaign_id, question_set_version,
                        reference_code, collected_at, recorded_by, channel, language,
                        county_code, may_contact, may_quote, answers, flags, fingerprint,
                        double_code, first_coded_at)
                    SELECT gen_random_uuid(), :c, 1, 'REF' || n, now(), gen_random_uuid(),
                        'STREET', 'en', (SELECT min(code) FROM counties), false, false, '{}',
                        '{}', '', false, CASE WHEN n = 1 THEN now() END
                    FROM generate_series(1, 2) n
                    RETURNING id, first_coded_at
                )
                INSERT INTO conversation_codings (id, conversation_id, round, coder_id,
                                                  theme_id, question_key)
                SELECT gen_random_uuid(), made.id, 1, gen_random_uuid(), sub.id, 'what_matters'
                FROM made, sub WHERE made.first_coded_at IS NOT NULL
                """
            ),
            {"c": campaign},
        )
        await session.commit()

    done = await asyncio.to_thread(_cymuned, scratch_url, "recount-theme-tallies")
    assert done.returncode == 0, done.stderr
    assert "Theme tallies recounted from the codings; campaigns: 1." in done.stdout
    async with session_on(scratch_url) as session:
        rows = await session.execute(
            select(Theme.key, ThemeTally.n)
            .outerjoin(Theme, Theme.id == ThemeTally.theme_id)
            .where(ThemeTally.campaign_id == campaign)
        )
        assert sorted(rows.all(), key=str) == sorted(
            [(None, 1), ("transport", 1), ("buses", 1)], key=str
        )
