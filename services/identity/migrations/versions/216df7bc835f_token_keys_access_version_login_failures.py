"""token keys, access version, login failures"""
import sqlalchemy as sa
from alembic import op
from paraph_platform.migration_columns import integer, json, string, text, timestamp, uuid

revision = '216df7bc835f'
down_revision = '16e10c38b038'


def upgrade():
    op.create_table('login_failures',
    uuid('id'),
    string('key', 100),
    timestamp('failed_at'),
    sa.PrimaryKeyConstraint('id')
    )
    op.create_index('ix_login_failures_key_at', 'login_failures', ['key', 'failed_at'], unique=False)
    op.create_table('token_keys',
    string('kid', 64),
    json('public_jwk'),
    text('private_pem', nullable=True),
    timestamp('created_at'),
    timestamp('retired_at', nullable=True),
    sa.PrimaryKeyConstraint('kid')
    )
    op.add_column('memberships', integer('access_version', server_default='1'))


def downgrade():
    with op.batch_alter_table('memberships') as batch:  # SQLite cannot drop a column in place
        batch.drop_column('access_version')
    op.drop_table('token_keys')
    op.drop_index('ix_login_failures_key_at', table_name='login_failures')
    op.drop_table('login_failures')
