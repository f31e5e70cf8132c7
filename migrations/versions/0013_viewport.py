"""map viewport: pois in geohash order (btrees on the key and id, and on category, key and id)

Revision ID: 0013
Revises: 0011
Create Date: 2026-12-03 09:30:00

"""
from alembic import op


# revision identifiers, used by Alembic.
revision = '0013'
down_revision = '0011'
branch_labels = None
depends_on = None


def upgrade():
    op.execute(
        'CREATE INDEX ix_pois_public_viewport ON pois ((ST_GeoHash(location, 12) COLLATE "C"), id) '
        "WHERE status = 'published' AND deleted_at IS NULL"
    )
    # The same order within a category: a viewport of some categories reads only their rows.
    op.execute(
        'CREATE INDEX ix_pois_public_category_viewport ON pois (category, (ST_GeoHash(location, 12) COLLATE "C"), id) '
        "WHERE status = 'published' AND deleted_at IS NULL"
    )


def downgrade():
    op.drop_index('ix_pois_public_category_viewport', table_name='pois')
    op.drop_index('ix_pois_public_viewport', table_name='pois')
