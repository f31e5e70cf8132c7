"""api keys: third parties' keys (hash only), their restrictions and quotas, and their daily usage per group

Revision ID: 0015
Revises: 0014
Create Date: 2026-12-04 00:00:00

"""
from alembic import op
import sqlalchemy as sa
from sqlalchemy.dialects import postgresql

# revision identifiers, used by Alembic.
revision = '0015'
down_revision = '0014'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('api_keys',
    sa.Column('id', sa.UUID(), nullable=False),
    sa.Column('name', sa.String(length=120), nullable=False),
    sa.Column('owner_email', sa.String(length=254), nullable=False),
    sa.Column('prefix', sa.String(length=24), nullable=False),
    # SHA-256 of the whole key (hex). Keys are 256 bits of randomness, so no guessing or dictionary attack can
    # use a fast hash: a slow password hash (argon2) would only cost time on every request.
    sa.Column('hash', sa.String(length=64), nullable=False),
    sa.Column('per_minute', sa.Integer(), nullable=False),
    sa.Column('per_day', sa.Integer(), nullable=False),
    sa.Column('allowed_origins', postgresql.ARRAY(sa.Text()), server_default='{}', nullable=False),
    sa.Column('allowed_cidrs', postgresql.ARRAY(postgresql.CIDR()), server_default='{}', nullable=False),
    sa.Column('groups', postgresql.ARRAY(sa.Text()), server_default='{}', nullable=False),
    sa.Column('status', sa.String(length=16), server_default='active', nullable=False),
    sa.Column('created_by', sa.UUID(), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), server_default=sa.text('now()'), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), server_default=sa.text('now()'), nullable=False),
    sa.Column('last_used_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('revoked_at', sa.DateTime(timezone=True), nullable=True),
    sa.CheckConstraint("status IN ('active', 'suspended', 'revoked')", name='ck_api_keys_status'),
    sa.CheckConstraint('per_minute > 0 AND per_day > 0', name='ck_api_keys_quotas'),
    sa.ForeignKeyConstraint(['created_by'], ['users.id'], ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id')
    )
    op.create_index('ix_api_keys_hash', 'api_keys', ['hash'], unique=True)
    op.create_table('api_key_usage',
    sa.Column('key_id', sa.UUID(), nullable=False),
    sa.Column('day', sa.Date(), nullable=False),
    sa.Column('group', sa.String(length=32), nullable=False),
    sa.Column('requests', sa.BigInteger(), server_default='0', nullable=False),
    sa.Column('client_errors', sa.BigInteger(), server_default='0', nullable=False),
    sa.Column('throttled', sa.BigInteger(), server_default='0', nullable=False),
    sa.ForeignKeyConstraint(['key_id'], ['api_keys.id'], ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('key_id', 'day', 'group')
    )


def downgrade():
    op.drop_table('api_key_usage')
    op.drop_index('ix_api_keys_hash', table_name='api_keys')
    op.drop_table('api_keys')
