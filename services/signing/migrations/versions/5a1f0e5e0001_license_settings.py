"""a license's signing settings (reminder cadence, origins allowed to frame the signing page)"""
import sqlalchemy as sa
from alembic import op

from paraph_platform.db import UTCDateTime

revision = '5a1f0e5e0001'
down_revision = '3c8d2e5f9a10'


def upgrade():
    op.create_table(
        'license_settings',
        sa.Column('license_id', sa.String(length=36), nullable=False),
        sa.Column('reminder_every_days', sa.Integer(), nullable=True),
        sa.Column('reminder_max', sa.Integer(), nullable=True),
        sa.Column('embed_origins', sa.JSON(), nullable=False),
        sa.Column('updated_at', UTCDateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint('license_id'),
    )


def downgrade():
    op.drop_table('license_settings')
