"""history.txid: the writing transaction's id, for delta sync

Revision ID: 0005
Revises: 0002
Create Date: 2026-11-26 05:40:00.000000

"""
from alembic import op
import sqlalchemy as sa

# revision identifiers, used by Alembic.
revision = '0005'
down_revision = '0002'
branch_labels = None
depends_on = None


def upgrade():
    # Rows written before this migration get the migration's own transaction id: they all count as one
    # change, older than anything written afterwards (a sync cursor made later never points before it).
    op.add_column(
        'history',
        sa.Column('txid', sa.BigInteger(), server_default=sa.text('(pg_current_xact_id()::text::bigint)'), nullable=False),
    )
    op.create_index('ix_history_txid', 'history', ['txid', 'id'], unique=False)


def downgrade():
    op.drop_index('ix_history_txid', table_name='history')
    op.drop_column('history', 'txid')
