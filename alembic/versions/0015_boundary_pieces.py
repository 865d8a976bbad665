"""Boundary pieces: counties and communities also kept cut into small polygons (at most
64 vertices), so a point look-up tests one small piece instead of a whole boundary

Revision ID: 0015
Revises: 0013
"""

import sqlalchemy as sa
from alembic import op
from geoalchemy2 import Geometry
from sqlalchemy.dialects import postgresql

revision = "0015"
down_revision = "0013"
branch_labels = None
depends_on = None

# (pieces table, its key column, the area table); api.places.models.PIECE_VERTICES.
PIECES = (
    ("county_pieces", "county_id", "counties"),
    ("community_pieces", "community_id", "communities"),
)
VERTICES = 64


def upgrade() -> None:
    for table, key, areas in PIECES:
        op.create_table(
            table,
            sa.Column(
                key,
                postgresql.UUID(as_uuid=True),
                sa.ForeignKey(f"{areas}.id", ondelete="CASCADE"),
                primary_key=True,
            ),
            sa.Column("piece", sa.Integer(), primary_key=True),
            sa.Column("geom", Geometry("GEOMETRY", srid=4326, spatial_index=False), nullable=False),
        )
        op.create_index(f"ix_{table}_geom", table, ["geom"], postgresql_using="gist")
    # One trigger function for both: arguments name the pieces table and its key column.
    op.execute(
        """
        CREATE FUNCTION cut_into_pieces() RETURNS trigger LANGUAGE plpgsql AS $$
        BEGIN
            EXECUTE format('DELETE FROM %I WHERE %I = $1', TG_ARGV[0], TG_ARGV[1])
                USING NEW.id;
            EXECUTE format(
                'INSERT INTO %I (%I, piece, geom) '
                'SELECT $1, p.n, p.geom FROM ST_Subdivide($2, %s) WITH ORDINALITY AS p(geom, n)',
                TG_ARGV[0], TG_ARGV[1], TG_ARGV[2]
            ) USING NEW.id, NEW.geom;
            RETURN NULL;
        END $$
        """
    )
    for table, key, areas in PIECES:
        op.execute(
            f"CREATE TRIGGER {areas}_cut_into_pieces AFTER INSERT OR UPDATE OF geom ON {areas} "
            f"FOR EACH ROW EXECUTE FUNCTION cut_into_pieces('{table}', '{key}', '{VERTICES}')"
        )
        op.execute(
            f"INSERT INTO {table} ({key}, piece, geom) SELECT a.id, p.n, p.geom FROM {areas} a "
            f"CROSS JOIN LATERAL ST_Subdivide(a.geom, {VERTICES}) WITH ORDINALITY AS p(geom, n)"
        )


def downgrade() -> None:
    for table, _, areas in PIECES:
        op.execute(f"DROP TRIGGER {areas}_cut_into_pieces ON {areas}")
        op.drop_table(table)
    op.execute("DROP FUNCTION cut_into_pieces()")
