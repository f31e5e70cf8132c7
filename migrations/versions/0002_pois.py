"""pois and history

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-26 05:18:39.693071

"""
from alembic import op
import sqlalchemy as sa
import geoalchemy2
from geoalchemy2 import Geography
from sqlalchemy.dialects import postgresql

# revision identifiers, used by Alembic.
revision = '0002'
down_revision = '0001'
branch_labels = None
depends_on = None


def upgrade():
    # btree_gist lets one GiST index serve "category = x ORDER BY location <-> point".
    op.execute("CREATE EXTENSION IF NOT EXISTS btree_gist")
    op.create_table('history',
    sa.Column('id', sa.BigInteger(), autoincrement=True, nullable=False),
    sa.Column('entity_type', sa.String(length=32), nullable=False),
    sa.Column('entity_id', sa.UUID(), nullable=False),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.Column('action', sa.String(length=16), nullable=False),
    sa.Column('actor_id', sa.UUID(), nullable=True),
    sa.Column('actor_label', sa.String(length=254), nullable=False),
    sa.Column('changes', postgresql.JSONB(astext_type=sa.Text()), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), server_default=sa.text('now()'), nullable=False),
    sa.ForeignKeyConstraint(['actor_id'], ['users.id'], ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id')
    )
    op.create_index('ix_history_entity', 'history', ['entity_type', 'entity_id', 'version'], unique=False)
    op.create_geospatial_table('pois',
    sa.Column('id', sa.UUID(), nullable=False),
    sa.Column('slug', sa.String(length=120), nullable=False),
    sa.Column('category', sa.String(length=32), nullable=False),
    sa.Column('tags', postgresql.ARRAY(sa.String(length=40)), server_default='{}', nullable=False),
    sa.Column('name', postgresql.JSONB(astext_type=sa.Text()), nullable=False),
    sa.Column('description', postgresql.JSONB(astext_type=sa.Text()), server_default='{}', nullable=False),
    sa.Column('location', Geography(geometry_type='POINT', srid=4326, dimension=2, spatial_index=False, from_text='ST_GeogFromText', name='geography', nullable=False), nullable=False),
    sa.Column('address', sa.String(length=300), nullable=True),
    sa.Column('opening_hours', sa.String(length=500), nullable=True),
    sa.Column('accessibility', postgresql.JSONB(astext_type=sa.Text()), server_default='{}', nullable=False),
    sa.Column('contact', postgresql.JSONB(astext_type=sa.Text()), server_default='{}', nullable=False),
    sa.Column('media', postgresql.JSONB(astext_type=sa.Text()), server_default='[]', nullable=False),
    sa.Column('status', sa.String(length=16), server_default='draft', nullable=False),
    sa.Column('source', sa.Text(), nullable=True),
    sa.Column('location_estimated', sa.Boolean(), server_default='false', nullable=False),
    sa.Column('search_text', sa.Text(), server_default='', nullable=False),
    sa.Column('version', sa.Integer(), server_default='1', nullable=False),
    sa.Column('created_by', sa.UUID(), nullable=True),
    sa.Column('updated_by', sa.UUID(), nullable=True),
    sa.Column('deleted_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), server_default=sa.text('now()'), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), server_default=sa.text('now()'), nullable=False),
    sa.CheckConstraint("status IN ('draft', 'published', 'archived')", name='ck_pois_status'),
    sa.ForeignKeyConstraint(['created_by'], ['users.id'], ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['updated_by'], ['users.id'], ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('slug')
    )
    op.create_index('ix_pois_public_category_location', 'pois', ['category', 'location'], unique=False, postgresql_using='gist', postgresql_where=sa.text("status = 'published' AND deleted_at IS NULL"))
    op.create_index('ix_pois_public_geom', 'pois', [sa.literal_column('(location::geometry)')], unique=False, postgresql_using='gist', postgresql_where=sa.text("status = 'published' AND deleted_at IS NULL"))
    op.create_geospatial_index('ix_pois_public_location', 'pois', ['location'], unique=False, postgresql_using='gist', postgresql_where=sa.text("status = 'published' AND deleted_at IS NULL"), postgresql_ops={})
    op.create_index('ix_pois_search_text', 'pois', ['search_text'], unique=False, postgresql_using='gin', postgresql_ops={'search_text': 'gin_trgm_ops'}, postgresql_where=sa.text("status = 'published' AND deleted_at IS NULL"))
    op.create_index('ix_pois_updated_at', 'pois', ['updated_at'], unique=False)


def downgrade():
    op.drop_index('ix_pois_updated_at', table_name='pois')
    op.drop_index('ix_pois_search_text', table_name='pois', postgresql_using='gin', postgresql_ops={'search_text': 'gin_trgm_ops'}, postgresql_where=sa.text("status = 'published' AND deleted_at IS NULL"))
    op.drop_geospatial_index('ix_pois_public_location', table_name='pois', postgresql_using='gist', postgresql_where=sa.text("status = 'published' AND deleted_at IS NULL"), column_name='location')
    op.drop_index('ix_pois_public_geom', table_name='pois', postgresql_using='gist', postgresql_where=sa.text("status = 'published' AND deleted_at IS NULL"))
    op.drop_index('ix_pois_public_category_location', table_name='pois', postgresql_using='gist', postgresql_where=sa.text("status = 'published' AND deleted_at IS NULL"))
    op.drop_geospatial_table('pois')
    op.drop_index('ix_history_entity', table_name='history')
    op.drop_table('history')
