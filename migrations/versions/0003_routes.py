"""routes and route stops

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-26 05:34:30.304558

"""
from alembic import op
import sqlalchemy as sa
import geoalchemy2
from geoalchemy2 import Geography
from sqlalchemy.dialects import postgresql

# revision identifiers, used by Alembic.
revision = '0003'
down_revision = '0002'
branch_labels = None
depends_on = None


def upgrade():
    op.create_geospatial_table('routes',
    sa.Column('id', sa.UUID(), nullable=False),
    sa.Column('slug', sa.String(length=120), nullable=False),
    sa.Column('name', postgresql.JSONB(astext_type=sa.Text()), nullable=False),
    sa.Column('summary', postgresql.JSONB(astext_type=sa.Text()), server_default='{}', nullable=False),
    sa.Column('description', postgresql.JSONB(astext_type=sa.Text()), server_default='{}', nullable=False),
    sa.Column('theme', sa.String(length=32), nullable=False),
    sa.Column('kind', sa.String(length=16), nullable=False),
    sa.Column('difficulty', sa.String(length=16), nullable=False),
    sa.Column('is_loop', sa.Boolean(), server_default='false', nullable=False),
    sa.Column('geom', Geography(geometry_type='MULTILINESTRING', srid=4326, dimension=2, spatial_index=False, from_text='ST_GeogFromText', name='geography', nullable=False), nullable=False),
    sa.Column('length_m', sa.Double(), nullable=False),
    sa.Column('duration_min', sa.Integer(), nullable=False),
    sa.Column('official_length_m', sa.Double(), nullable=True),
    sa.Column('estimated_waypoints', postgresql.ARRAY(sa.Integer()), server_default='{}', nullable=False),
    sa.Column('status', sa.String(length=16), server_default='draft', nullable=False),
    sa.Column('source', sa.Text(), nullable=True),
    sa.Column('version', sa.Integer(), server_default='1', nullable=False),
    sa.Column('created_by', sa.UUID(), nullable=True),
    sa.Column('updated_by', sa.UUID(), nullable=True),
    sa.Column('deleted_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), server_default=sa.text('now()'), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), server_default=sa.text('now()'), nullable=False),
    sa.CheckConstraint("kind IN ('walk', 'bike', 'boat')", name='ck_routes_kind'),
    sa.CheckConstraint("status IN ('draft', 'published')", name='ck_routes_status'),
    sa.CheckConstraint('length_m > 0', name='ck_routes_length'),
    sa.ForeignKeyConstraint(['created_by'], ['users.id'], ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['updated_by'], ['users.id'], ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('slug')
    )
    op.create_geospatial_index('ix_routes_public_geom', 'routes', ['geom'], unique=False, postgresql_using='gist', postgresql_where=sa.text("status = 'published' AND deleted_at IS NULL"), postgresql_ops={})
    op.create_index('ix_routes_updated_at', 'routes', ['updated_at'], unique=False)
    op.create_table('route_stops',
    sa.Column('route_id', sa.UUID(), nullable=False),
    sa.Column('position', sa.Integer(), nullable=False),
    sa.Column('poi_id', sa.UUID(), nullable=False),
    sa.Column('note', postgresql.JSONB(astext_type=sa.Text()), server_default='{}', nullable=False),
    sa.Column('trigger_radius_m', sa.Integer(), nullable=False),
    sa.Column('distance_along_m', sa.Double(), nullable=False),
    sa.Column('offset_m', sa.Double(), nullable=False),
    sa.Column('poi_lon', sa.Double(), nullable=False),
    sa.Column('poi_lat', sa.Double(), nullable=False),
    sa.CheckConstraint('position >= 1', name='ck_route_stops_position'),
    sa.ForeignKeyConstraint(['poi_id'], ['pois.id'], ondelete='RESTRICT'),
    sa.ForeignKeyConstraint(['route_id'], ['routes.id'], ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('route_id', 'position')
    )
    op.create_index('ix_route_stops_poi_id', 'route_stops', ['poi_id'], unique=False)


def downgrade():
    op.drop_index('ix_route_stops_poi_id', table_name='route_stops')
    op.drop_table('route_stops')
    op.drop_index('ix_routes_updated_at', table_name='routes')
    op.drop_geospatial_index('ix_routes_public_geom', table_name='routes', postgresql_using='gist', postgresql_where=sa.text("status = 'published' AND deleted_at IS NULL"), column_name='geom')
    op.drop_geospatial_table('routes')
