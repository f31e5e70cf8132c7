"""events (live events: schedule in wall time, derived UTC span, venue or own point)

Revision ID: 0004
Revises: 0002
Create Date: 2026-11-26 05:30:25.882196

"""
from alembic import op
import sqlalchemy as sa
import geoalchemy2
from geoalchemy2 import Geography
from sqlalchemy.dialects import postgresql

# revision identifiers, used by Alembic.
revision = '0004'
down_revision = '0002'
branch_labels = None
depends_on = None


def upgrade():
    op.create_geospatial_table('events',
    sa.Column('id', sa.UUID(), nullable=False),
    sa.Column('uid', sa.String(length=255), nullable=False),
    sa.Column('title', postgresql.JSONB(astext_type=sa.Text()), nullable=False),
    sa.Column('description', postgresql.JSONB(astext_type=sa.Text()), server_default='{}', nullable=False),
    sa.Column('category', sa.String(length=32), nullable=False),
    sa.Column('venue_poi_id', sa.UUID(), nullable=True),
    sa.Column('location', Geography(geometry_type='POINT', srid=4326, dimension=2, spatial_index=False, from_text='ST_GeogFromText', name='geography'), nullable=True),
    sa.Column('address', sa.String(length=300), nullable=True),
    sa.Column('timezone', sa.String(length=64), server_default='Europe/Paris', nullable=False),
    sa.Column('all_day', sa.Boolean(), server_default='false', nullable=False),
    sa.Column('dtstart_local', sa.DateTime(), nullable=False),
    sa.Column('duration', sa.Interval(), nullable=False),
    sa.Column('rrule', sa.String(length=500), nullable=True),
    sa.Column('exdates', postgresql.ARRAY(sa.DateTime()), server_default='{}', nullable=False),
    sa.Column('rdates', postgresql.ARRAY(sa.DateTime()), server_default='{}', nullable=False),
    sa.Column('starts_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('ends_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('active_from', sa.DateTime(timezone=True), nullable=False),
    sa.Column('active_until', sa.DateTime(timezone=True), nullable=True),
    sa.Column('status', sa.String(length=16), server_default='scheduled', nullable=False),
    sa.Column('publication', sa.String(length=16), server_default='draft', nullable=False),
    sa.Column('price', sa.String(length=200), nullable=True),
    sa.Column('organiser', sa.String(length=300), nullable=True),
    sa.Column('booking_url', sa.String(length=1000), nullable=True),
    sa.Column('online_url', sa.String(length=1000), nullable=True),
    sa.Column('source', sa.Text(), nullable=True),
    sa.Column('notes', sa.Text(), nullable=True),
    sa.Column('import_source', sa.String(length=2000), nullable=True),
    sa.Column('version', sa.Integer(), server_default='1', nullable=False),
    sa.Column('created_by', sa.UUID(), nullable=True),
    sa.Column('updated_by', sa.UUID(), nullable=True),
    sa.Column('deleted_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), server_default=sa.text('now()'), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), server_default=sa.text('now()'), nullable=False),
    sa.CheckConstraint("publication IN ('draft', 'published')", name='ck_events_publication'),
    sa.CheckConstraint("status IN ('scheduled', 'cancelled', 'postponed', 'rescheduled', 'moved_online')", name='ck_events_status'),
    sa.CheckConstraint('active_until IS NULL OR active_until >= active_from', name='ck_events_active_range'),
    sa.CheckConstraint('ends_at >= starts_at', name='ck_events_end_after_start'),
    sa.CheckConstraint('venue_poi_id IS NULL OR location IS NULL', name='ck_events_one_place'),
    sa.ForeignKeyConstraint(['created_by'], ['users.id'], ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['updated_by'], ['users.id'], ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['venue_poi_id'], ['pois.id'], ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('uid')
    )
    op.create_index('ix_events_active', 'events', [sa.literal_column("tstzrange(active_from, active_until, '[]')")], unique=False, postgresql_using='gist')
    op.create_index('ix_events_import_source', 'events', ['import_source'], unique=False, postgresql_where=sa.text('import_source IS NOT NULL'))
    op.create_index('ix_events_public_active', 'events', [sa.literal_column("tstzrange(active_from, active_until, '[]')")], unique=False, postgresql_using='gist', postgresql_where=sa.text("publication = 'published' AND deleted_at IS NULL"))
    op.create_index('ix_events_updated_at', 'events', ['updated_at'], unique=False)
    op.create_index('ix_events_venue_poi_id', 'events', ['venue_poi_id'], unique=False)


def downgrade():
    op.drop_index('ix_events_venue_poi_id', table_name='events')
    op.drop_index('ix_events_updated_at', table_name='events')
    op.drop_index('ix_events_public_active', table_name='events', postgresql_using='gist', postgresql_where=sa.text("publication = 'published' AND deleted_at IS NULL"))
    op.drop_index('ix_events_import_source', table_name='events', postgresql_where=sa.text('import_source IS NOT NULL'))
    op.drop_index('ix_events_active', table_name='events', postgresql_using='gist')
    op.drop_geospatial_table('events')
