"""template assets"""
from alembic import op
from paraph_platform import migration_ops
from paraph_platform.migration_columns import blob, integer, string, timestamp, uuid

revision = '2fd212a96170'
down_revision = '387179979eb0'


def upgrade():
    migration_ops.create_license_table('assets',
    string('filename', 255),
    string('content_type', 120),
    integer('size'),
    string('sha256', 64),
    blob('content'),
    uuid('created_by'),
    timestamp('created_at'),
    )
    op.create_index('ix_asset_license', 'assets', ['license_id'], unique=False)


def downgrade():
    op.drop_index('ix_asset_license', table_name='assets')
    op.drop_table('assets')
