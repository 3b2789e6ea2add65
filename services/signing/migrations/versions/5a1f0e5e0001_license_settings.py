"""a license's signing settings (reminder cadence, origins allowed to frame the signing page)"""
import sqlalchemy as sa
from alembic import op
from paraph_platform.migration_columns import integer, json, timestamp, uuid

revision = '5a1f0e5e0001'
down_revision = '3c8d2e5f9a10'


def upgrade():
    op.create_table(
        'license_settings',
        uuid('license_id'),
        integer('reminder_every_days', nullable=True),
        integer('reminder_max', nullable=True),
        json('embed_origins'),
        timestamp('updated_at'),
        sa.PrimaryKeyConstraint('license_id'),
    )


def downgrade():
    op.drop_table('license_settings')
