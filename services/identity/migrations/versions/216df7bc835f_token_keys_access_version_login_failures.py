"""token keys, access version, login failures"""
from alembic import op
import sqlalchemy as sa
import paraph_platform.db


revision = '216df7bc835f'
down_revision = '16e10c38b038'


def upgrade():
    op.create_table('login_failures',
    sa.Column('id', sa.String(length=36), nullable=False),
    sa.Column('key', sa.String(length=100), nullable=False),
    sa.Column('failed_at', paraph_platform.db.UTCDateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('id')
    )
    op.create_index('ix_login_failures_key_at', 'login_failures', ['key', 'failed_at'], unique=False)
    op.create_table('token_keys',
    sa.Column('kid', sa.String(length=64), nullable=False),
    sa.Column('public_jwk', sa.JSON(), nullable=False),
    sa.Column('private_pem', sa.Text(), nullable=True),
    sa.Column('created_at', paraph_platform.db.UTCDateTime(timezone=True), nullable=False),
    sa.Column('retired_at', paraph_platform.db.UTCDateTime(timezone=True), nullable=True),
    sa.PrimaryKeyConstraint('kid')
    )
    op.add_column('memberships', sa.Column('access_version', sa.Integer(), server_default='1', nullable=False))


def downgrade():
    with op.batch_alter_table('memberships') as batch:  # SQLite cannot drop a column in place
        batch.drop_column('access_version')
    op.drop_table('token_keys')
    op.drop_index('ix_login_failures_key_at', table_name='login_failures')
    op.drop_table('login_failures')
