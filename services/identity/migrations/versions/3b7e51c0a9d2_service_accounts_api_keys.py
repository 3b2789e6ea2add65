"""service accounts and API keys"""
import sqlalchemy as sa
from alembic import op
from paraph_platform import migration_ops
from paraph_platform.migration_columns import json, string, timestamp, uuid

revision = '3b7e51c0a9d2'
down_revision = '216df7bc835f'


def upgrade():
    migration_ops.create_license_table('service_accounts',
    string('name', 200),
    string('description', 2000),
    string('role', 32),
    uuid('created_by'),
    timestamp('created_at'),
    timestamp('disabled_at', nullable=True),
    sa.ForeignKeyConstraint(['license_id'], ['licenses.id'], ),
    )
    op.create_index(op.f('ix_service_accounts_license_id'), 'service_accounts', ['license_id'], unique=False)
    op.create_table('api_keys',
    uuid('id'),
    uuid('service_account_id'),
    uuid('license_id'),
    string('name', 200),
    string('prefix', 16),
    string('key_hash', 64),
    json('scopes'),
    json('allowed_ips'),
    timestamp('expires_at', nullable=True),
    timestamp('last_used_at', nullable=True),
    uuid('created_by'),
    timestamp('created_at'),
    timestamp('revoked_at', nullable=True),
    sa.ForeignKeyConstraint(['license_id'], ['licenses.id'], ),
    sa.ForeignKeyConstraint(['service_account_id'], ['service_accounts.id'], ),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('key_hash')
    )
    op.create_index(op.f('ix_api_keys_service_account_id'), 'api_keys', ['service_account_id'], unique=False)


def downgrade():
    migration_ops.drop_tables('api_keys', 'service_accounts')
