"""Boundary versions: one value, drawn afresh whenever the boundaries a point look-up
reads are written, so a process can keep its own copy of them and know when it is stale

Revision ID: 0017
Revises: 0016
"""

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision = "0017"
down_revision = "0016"
branch_labels = None
depends_on = None

# What a point look-up reads of each table: any other column may change freely.
WATCHED = {
    "counties": "code",
    "community_sets": "is_default",
    "communities": "set_id, county_id, geom",
    "community_pieces": "community_id, geom",
}


def upgrade() -> None:
    op.create_table(
        "boundary_versions",
        sa.Column("only", sa.Boolean(), primary_key=True),
        sa.Column("version", postgresql.UUID(as_uuid=True), nullable=False),
        sa.CheckConstraint('"only"', name=op.f("ck_boundary_versions_one_row")),
    )
    op.execute("INSERT INTO boundary_versions VALUES (true, gen_random_uuid())")
    op.execute(
        """
        CREATE FUNCTION next_boundary_version() RETURNS trigger LANGUAGE plpgsql AS $$
        BEGIN
            UPDATE boundary_versions SET version = gen_random_uuid();
            RETURN NULL;
        END $$
        """
    )
    for table, columns in WATCHED.items():
        op.execute(
            f"CREATE TRIGGER {table}_next_boundary_version "
            f"AFTER INSERT OR DELETE OR UPDATE OF {columns} OR TRUNCATE ON {table} "
            "FOR EACH STATEMENT EXECUTE FUNCTION next_boundary_version()"
        )


def downgrade() -> None:
    for table in WATCHED:
        op.execute(f"DROP TRIGGER {table}_next_boundary_version ON {table}")
    op.execute("DROP FUNCTION next_boundary_version()")
    op.drop_table("boundary_versions")
