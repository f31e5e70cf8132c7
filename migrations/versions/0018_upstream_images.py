"""upstream_images: images that imports found upstream, fetched once in the background into media rows;
import_runs.message: why a run failed or unpublished nothing

Revision ID: 0018
Revises: 0017
Create Date: 2026-12-04 05:10:00

"""
from alembic import op
import sqlalchemy as sa
from sqlalchemy.dialects import postgresql

# revision identifiers, used by Alembic.
revision = '0018'
down_revision = '0017'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('upstream_images',
    sa.Column('id', sa.UUID(), nullable=False),
    sa.Column('owner_type', sa.String(length=16), nullable=False),
    sa.Column('owner_id', sa.UUID(), nullable=False),
    sa.Column('url', sa.String(length=2000), nullable=False),
    sa.Column('source', sa.String(length=64), nullable=False),
    sa.Column('credit', sa.String(length=300), nullable=True),
    sa.Column('licence', sa.String(length=300), nullable=True),
    sa.Column('caption', postgresql.JSONB(astext_type=sa.Text()), server_default='{}', nullable=False),
    sa.Column('status', sa.String(length=16), server_default='waiting', nullable=False),
    sa.Column('media_id', sa.UUID(), nullable=True),
    sa.Column('attempts', sa.Integer(), server_default='0', nullable=False),
    sa.Column('error', sa.String(length=500), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), server_default=sa.text('now()'), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), server_default=sa.text('now()'), nullable=False),
    sa.CheckConstraint("status IN ('waiting', 'fetched', 'failed', 'refused')", name='ck_upstream_images_status'),
    sa.PrimaryKeyConstraint('id')
    )
    op.create_index('uq_upstream_images_owner_url', 'upstream_images', ['owner_type', 'owner_id', 'url'], unique=True)
    op.create_index('ix_upstream_images_waiting', 'upstream_images', ['updated_at'], unique=False,
                    postgresql_where=sa.text("status = 'waiting'"))
    op.add_column('import_runs', sa.Column('message', sa.Text(), nullable=True))


def downgrade():
    op.drop_column('import_runs', 'message')
    op.drop_index('ix_upstream_images_waiting', table_name='upstream_images')
    op.drop_index('uq_upstream_images_owner_url', table_name='upstream_images')
    op.drop_table('upstream_images')
