"""initial schema"""
import sqlalchemy as sa
from alembic import op
from paraph_platform import migration_ops
from paraph_platform.migration_columns import boolean, integer, json, string, text, timestamp, uuid

revision = 'd5d2e4572510'
down_revision = None


def upgrade():
    migration_ops.create_platform_tables()
    op.create_table('seat_pools',
    uuid('id'),
    string('name', 200),
    string('activation_code', 64),
    integer('seats'),
    timestamp('expires_at'),
    timestamp('created_at'),
    integer('version'),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('activation_code')
    )
    op.create_table('users',
    uuid('id'),
    string('email', 320),
    string('name', 200),
    string('phone', 40, nullable=True),
    string('locale', 8),
    text('password_hash', nullable=True),
    uuid('last_license_id', nullable=True),
    timestamp('created_at'),
    integer('failed_logins'),
    timestamp('locked_until', nullable=True),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('email')
    )
    op.create_table('licenses',
    uuid('id'),
    uuid('pool_id'),
    string('name', 200),
    json('settings'),
    timestamp('created_at'),
    integer('version'),
    sa.ForeignKeyConstraint(['pool_id'], ['seat_pools.id'], ),
    sa.PrimaryKeyConstraint('id')
    )
    op.create_index(op.f('ix_licenses_pool_id'), 'licenses', ['pool_id'], unique=False)
    op.create_table('tokens',
    uuid('id'),
    string('token_hash', 64),
    string('purpose', 16),
    uuid('user_id'),
    uuid('license_id', nullable=True),
    timestamp('expires_at'),
    timestamp('used_at', nullable=True),
    timestamp('created_at'),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], ),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('token_hash')
    )
    op.create_index(op.f('ix_tokens_user_id'), 'tokens', ['user_id'], unique=False)
    migration_ops.create_license_table('erp_collaborators',
    string('code', 64),
    string('email', 320),
    string('name', 200),
    boolean('active'),
    uuid('user_id', nullable=True),
    timestamp('imported_at'),
    sa.ForeignKeyConstraint(['license_id'], ['licenses.id'], ),
    sa.UniqueConstraint('license_id', 'email', name='uq_collab_license_email')
    )
    op.create_index(op.f('ix_erp_collaborators_license_id'), 'erp_collaborators', ['license_id'], unique=False)
    op.create_table('memberships',
    uuid('id'),
    uuid('user_id'),
    uuid('license_id'),
    string('role', 32),
    string('status', 16),
    string('erp_code', 64, nullable=True),
    string('user_code', 64, nullable=True),
    uuid('contact_id', nullable=True),
    uuid('customer_id', nullable=True),
    string('company', 200, nullable=True),
    string('allowed_ip', 64, nullable=True),
    string('branch', 200, nullable=True),
    json('preferences'),
    uuid('invited_by', nullable=True),
    timestamp('created_at'),
    timestamp('activated_at', nullable=True),
    timestamp('deactivated_at', nullable=True),
    sa.ForeignKeyConstraint(['license_id'], ['licenses.id'], ),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], ),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('user_id', 'license_id', name='uq_membership_user_license')
    )
    op.create_index('ix_membership_license_status', 'memberships', ['license_id', 'status'], unique=False)


def downgrade():
    migration_ops.drop_tables('memberships', 'erp_collaborators', 'tokens', 'licenses', 'users', 'seat_pools')
    migration_ops.drop_platform_tables()
