"""change_log: every committed change of published content, written by triggers, relayed to Redis

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-03 08:45:00.000000

"""
from alembic import op
import sqlalchemy as sa
from geoalchemy2 import Geometry
from sqlalchemy.dialects.postgresql import ARRAY, JSONB, UUID

# revision identifiers, used by Alembic.
revision = '0007'
down_revision = '0006'
branch_labels = None
depends_on = None

# One row per changed row of a content table, in the writing transaction (so an operator's SQL, a CLI killed
# after its commit or another instance are seen like the API). `pg_notify` wakes the relays at commit.
LOG_FUNCTION = """
CREATE FUNCTION urbanpulse_log_change() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    geom_column text := TG_ARGV[0];
    with_rows boolean := coalesce(TG_ARGV[1], '') = 'rows';
    id_column text := coalesce(nullif(TG_ARGV[2], ''), 'id');
    old_geom geometry;
    new_geom geometry;
    row_id uuid;
    changed text[];
BEGIN
    IF TG_OP = 'UPDATE' THEN
        SELECT coalesce(array_agg(n.key ORDER BY n.key), '{}') INTO changed
        FROM jsonb_each(to_jsonb(NEW)) AS n
        WHERE n.value IS DISTINCT FROM to_jsonb(OLD) -> n.key;
    END IF;
    IF TG_OP IN ('UPDATE', 'DELETE') THEN
        EXECUTE format('SELECT ($1).%I', id_column) INTO row_id USING OLD;
        IF geom_column <> '' THEN
            EXECUTE format('SELECT ($1).%I::geometry', geom_column) INTO old_geom USING OLD;
        END IF;
    END IF;
    IF TG_OP IN ('INSERT', 'UPDATE') THEN
        EXECUTE format('SELECT ($1).%I', id_column) INTO row_id USING NEW;
        IF geom_column <> '' THEN
            EXECUTE format('SELECT ($1).%I::geometry', geom_column) INTO new_geom USING NEW;
        END IF;
    END IF;
    IF TG_TABLE_NAME = 'events' THEN
        -- An event at a venue is drawn at the venue's position.
        IF TG_OP IN ('UPDATE', 'DELETE') AND old_geom IS NULL AND OLD.venue_poi_id IS NOT NULL THEN
            SELECT location::geometry INTO old_geom FROM pois WHERE id = OLD.venue_poi_id;
        END IF;
        IF TG_OP IN ('INSERT', 'UPDATE') AND new_geom IS NULL AND NEW.venue_poi_id IS NOT NULL THEN
            SELECT location::geometry INTO new_geom FROM pois WHERE id = NEW.venue_poi_id;
        END IF;
    END IF;
    INSERT INTO change_log (entity, entity_id, op, changed, old_geom, new_geom, old_row, new_row)
    VALUES (
        TG_TABLE_NAME, row_id, left(TG_OP, 1), changed, old_geom, new_geom,
        CASE WHEN with_rows AND TG_OP IN ('UPDATE', 'DELETE') THEN to_jsonb(OLD) END,
        CASE WHEN with_rows AND TG_OP IN ('INSERT', 'UPDATE') THEN to_jsonb(NEW) END
    );
    PERFORM pg_notify('urbanpulse_changes', '');
    RETURN NULL;
END
$$
"""
# (table, geometry column, 'rows' to keep the old and new rows (the live feed needs them), id column)
TRIGGERS = (
    ("pois", "location", "", "id"),
    ("routes", "geom", "", "id"),
    ("route_stops", "", "", "route_id"),
    ("events", "location", "rows", "id"),
)


def upgrade():
    op.create_table(
        'change_log',
        sa.Column('id', sa.BigInteger(), sa.Identity(), primary_key=True),
        sa.Column('txid', sa.BigInteger(), server_default=sa.text('(pg_current_xact_id()::text::bigint)'), nullable=False),
        sa.Column('logged_at', sa.DateTime(timezone=True), server_default=sa.text('now()'), nullable=False),
        sa.Column('entity', sa.String(length=32), nullable=False),
        sa.Column('entity_id', UUID(as_uuid=True), nullable=False),
        sa.Column('op', sa.String(length=1), nullable=False),
        sa.Column('changed', ARRAY(sa.String()), nullable=True),
        sa.Column('old_geom', Geometry(srid=4326, spatial_index=False), nullable=True),
        sa.Column('new_geom', Geometry(srid=4326, spatial_index=False), nullable=True),
        sa.Column('old_row', JSONB(), nullable=True),
        sa.Column('new_row', JSONB(), nullable=True),
    )
    op.create_index('ix_change_log_txid', 'change_log', ['txid', 'id'], unique=False)
    op.execute(LOG_FUNCTION)
    for table, geom_column, rows, id_column in TRIGGERS:
        op.execute(
            f"CREATE TRIGGER {table}_log_change AFTER INSERT OR UPDATE OR DELETE ON {table} "
            f"FOR EACH ROW EXECUTE FUNCTION urbanpulse_log_change('{geom_column}', '{rows}', '{id_column}')"
        )


def downgrade():
    for table, *_ in TRIGGERS:
        op.execute(f"DROP TRIGGER IF EXISTS {table}_log_change ON {table}")
    op.execute("DROP FUNCTION IF EXISTS urbanpulse_log_change()")
    op.drop_index('ix_change_log_txid', table_name='change_log')
    op.drop_table('change_log')
