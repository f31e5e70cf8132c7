"""media: images of POIs, routes and events, their derived sizes, and the PostgreSQL blob store

Revision ID: 0014
Revises: 0013
Create Date: 2026-12-03 09:00:00

"""
from alembic import op
import sqlalchemy as sa
from sqlalchemy.dialects import postgresql

# revision identifiers, used by Alembic.
revision = '0014'
down_revision = '0013'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('media',
    sa.Column('id', sa.UUID(), nullable=False),
    sa.Column('owner_type', sa.String(length=16), nullable=False),
    sa.Column('owner_id', sa.UUID(), nullable=False),
    sa.Column('position', sa.Integer(), nullable=False),
    sa.Column('is_cover', sa.Boolean(), server_default='false', nullable=False),
    sa.Column('original_key', sa.String(length=80), nullable=False),
    sa.Column('original_type', sa.String(length=32), nullable=False),
    sa.Column('original_bytes', sa.BigInteger(), nullable=False),
    sa.Column('filename', sa.String(length=255), nullable=True),
    sa.Column('width', sa.Integer(), nullable=False),
    sa.Column('height', sa.Integer(), nullable=False),
    sa.Column('alt', postgresql.JSONB(astext_type=sa.Text()), server_default='{}', nullable=False),
    sa.Column('caption', postgresql.JSONB(astext_type=sa.Text()), server_default='{}', nullable=False),
    sa.Column('credit', sa.String(length=300), nullable=True),
    sa.Column('licence', sa.String(length=300), nullable=True),
    sa.Column('status', sa.String(length=16), server_default='processing', nullable=False),
    sa.Column('sizes', postgresql.JSONB(astext_type=sa.Text()), server_default='[]', nullable=False),
    sa.Column('attempts', sa.Integer(), server_default='0', nullable=False),
    sa.Column('created_by', sa.UUID(), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), server_default=sa.text('now()'), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), server_default=sa.text('now()'), nullable=False),
    sa.CheckConstraint("owner_type IN ('poi', 'route', 'event')", name='ck_media_owner_type'),
    sa.CheckConstraint("status IN ('processing', 'ready', 'failed')", name='ck_media_status'),
    sa.ForeignKeyConstraint(['created_by'], ['users.id'], ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id')
    )
    op.create_index('ix_media_owner', 'media', ['owner_type', 'owner_id', 'position'], unique=False)
    op.create_index('ix_media_one_cover', 'media', ['owner_type', 'owner_id'], unique=True, postgresql_where=sa.text('is_cover'))
    op.create_index('ix_media_processing', 'media', ['updated_at'], unique=False, postgresql_where=sa.text("status = 'processing'"))
    op.create_table('media_blobs',
    sa.Column('key', sa.String(length=100), nullable=False),
    sa.Column('data', sa.LargeBinary(), nullable=False),
    sa.Column('size', sa.BigInteger(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), server_default=sa.text('now()'), nullable=False),
    sa.PrimaryKeyConstraint('key')
    )
    # Blobs are already compressed images: no TOAST compression attempt.
    op.execute("ALTER TABLE media_blobs ALTER COLUMN data SET STORAGE EXTERNAL")
    op.add_column('routes', sa.Column('media', postgresql.JSONB(astext_type=sa.Text()), server_default='[]', nullable=False))
    op.add_column('events', sa.Column('media', postgresql.JSONB(astext_type=sa.Text()), server_default='[]', nullable=False))
    # The old free-form list of POI image URLs is now written only by the media service.
    op.execute("UPDATE pois SET media = '[]'::jsonb WHERE media <> '[]'::jsonb")


def downgrade():
    op.drop_column('events', 'media')
    op.drop_column('routes', 'media')
    op.drop_table('media_blobs')
    op.drop_index('ix_media_processing', table_name='media', postgresql_where=sa.text("status = 'processing'"))
    op.drop_index('ix_media_one_cover', table_name='media', postgresql_where=sa.text('is_cover'))
    op.drop_index('ix_media_owner', table_name='media')
    op.drop_table('media')
