"""inbox processed_at index

Revision ID: d0b621f5a132
Revises: 09572622214e
Create Date: 2026-12-01 08:30:21.937098
"""
from paraph_platform import migration_ops


revision = 'd0b621f5a132'
down_revision = '09572622214e'
branch_labels = None
depends_on = None


def upgrade():
    migration_ops.create_inbox_processed_at_index()


def downgrade():
    migration_ops.drop_inbox_processed_at_index()
