"""upstream_images.version: the size and date the source declares for an image; when they change behind the
same URL the image is fetched again and replaces the older copy

Revision ID: 0019
Revises: 0018
Create Date: 2026-12-04 08:20:00

"""
from alembic import op
import sqlalchemy as sa

# revision identifiers, used by Alembic.
revision = '0019'
down_revision = '0018'
branch_labels = None
depends_on = None


def upgrade():
    op.add_column('upstream_images', sa.Column('version', sa.String(length=200), nullable=True))


def downgrade():
    op.drop_column('upstream_images', 'version')
