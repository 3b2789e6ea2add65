"""keyset pagination index of the requests list

Revision ID: 3c8d2e5f9a10
Revises: d0b621f5a132
Create Date: 2026-12-02 05:30:00.000000
"""
from alembic import op


revision = '3c8d2e5f9a10'
down_revision = 'd0b621f5a132'
branch_labels = None
depends_on = None


def upgrade():
    # the cursor's next page is "(created_at, id) before these": a seek in this index, read backwards
    op.create_index('ix_request_license_created_id', 'signature_requests', ['license_id', 'created_at', 'id'],
                    unique=False)


def downgrade():
    op.drop_index('ix_request_license_created_id', table_name='signature_requests')
