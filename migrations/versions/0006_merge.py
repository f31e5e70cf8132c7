"""merge routes, events and sync tracking

Revision ID: 0006
Revises: 0003, 0004, 0005
Create Date: 2026-11-26 05:59:56.363429

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0006'
down_revision = ('0003', '0004', '0005')
branch_labels = None
depends_on = None


def upgrade():
    pass


def downgrade():
    pass
