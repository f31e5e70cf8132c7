"""users.token_generation: bearer tokens die with a password change or a deactivation

Revision ID: 0011
Revises: 0007
Create Date: 2026-12-03 08:40:00.000000

"""
from alembic import op
import sqlalchemy as sa

# revision identifiers, used by Alembic.
revision = '0011'
down_revision = '0007'
branch_labels = None
depends_on = None


def upgrade():
    op.add_column('users', sa.Column('token_generation', sa.Integer(), server_default='0', nullable=False))


def downgrade():
    op.drop_column('users', 'token_generation')
