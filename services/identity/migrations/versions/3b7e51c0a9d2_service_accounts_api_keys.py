"""service accounts and API keys"""
from alembic import op
import sqlalchemy as sa
import paraph_platform.db


revision = '3b7e51c0a9d2'
down_revision = '216df7bc835f'


def upgrade():
    op.create_table('service_accounts',
    sa.Column('id', sa.String(length=36), nullable=False),
    sa.Column('license_id', sa.String(length=36), nullable=False),
    sa.Column('name', sa.String(length=200), nullable=False),
    sa.Column('description', sa.String(length=2000), nullable=False),
    sa.Column('role', sa.String(length=32), nullable=False),
    sa.Column('created_by', sa.String(length=36), nullable=False),
    sa.Column('created_at', paraph_platform.db.UTCDateTime(timezone=True), nullable=False),
    sa.Column('disabled_at', paraph_platform.db.UTCDateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(['license_id'], ['licenses.id'], ),
    sa.PrimaryKeyConstraint('id')
    )
    op.create_index(op.f('ix_service_accounts_license_id'), 'service_accounts', ['license_id'], unique=False)
    op.create_table('api_keys',
    sa.Column('id', sa.String(length=36), nullable=False),
    sa.Column('service_account_id', sa.String(length=36), nullable=False),
    sa.Column('license_id', sa.String(length=36), nullable=False),
    sa.Column('name', sa.String(length=200), nullable=False),
    sa.Column('prefix', sa.String(length=16), nullable=False),
    sa.Column('key_hash', sa.String(length=64), nullable=False),
    sa.Column('scopes', sa.JSON(), nullable=False),
    sa.Column('allowed_ips', sa.JSON(), nullable=False),
    sa.Column('expires_at', paraph_platform.db.UTCDateTime(timezone=True), nullable=True),
    sa.Column('last_used_at', paraph_platform.db.UTCDateTime(timezone=True), nullable=True),
    sa.Column('created_by', sa.String(length=36), nullable=False),
    sa.Column('created_at', paraph_platform.db.UTCDateTime(timezone=True), nullable=False),
    sa.Column('revoked_at', paraph_platform.db.UTCDateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(['license_id'], ['licenses.id'], ),
    sa.ForeignKeyConstraint(['service_account_id'], ['service_accounts.id'], ),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('key_hash')
    )
    op.create_index(op.f('ix_api_keys_service_account_id'), 'api_keys', ['service_account_id'], unique=False)


def downgrade():
    op.drop_index(op.f('ix_api_keys_service_account_id'), table_name='api_keys')
    op.drop_table('api_keys')
    op.drop_index(op.f('ix_service_accounts_license_id'), table_name='service_accounts')
    op.drop_table('service_accounts')
