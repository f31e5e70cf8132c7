"""slugs: a prefix index (text_pattern_ops), so that finding a name's free slug reads only that name's slugs

Revision ID: 0017
Revises: 0016
Create Date: 2026-12-04 02:40:00

"""
from alembic import op

# revision identifiers, used by Alembic.
revision = '0017'
down_revision = '0016'
branch_labels = None
depends_on = None


def upgrade():
    op.create_index('ix_pois_slug_pattern', 'pois', ['slug'], postgresql_ops={'slug': 'text_pattern_ops'})
    op.create_index('ix_routes_slug_pattern', 'routes', ['slug'], postgresql_ops={'slug': 'text_pattern_ops'})


def downgrade():
    op.drop_index('ix_routes_slug_pattern', table_name='routes')
    op.drop_index('ix_pois_slug_pattern', table_name='pois')
