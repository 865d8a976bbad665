"""Welsh collation: lists asked for in Welsh are ordered in the Welsh alphabet's order, by
ICU's Welsh rules (ch after c, dd after d, ll after l, ng after g...). Made here, by name,
so that a PostgreSQL without ICU fails at migration rather than at the first Welsh list.

Revision ID: 0018
Revises: 0017
"""

from alembic import op

revision = "0018"
down_revision = "0017"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.execute("CREATE COLLATION IF NOT EXISTS welsh (provider = icu, locale = 'cy')")


def downgrade() -> None:
    op.execute("DROP COLLATION IF EXISTS welsh")
