"""inbox processed_at index

Revision ID: 16e10c38b038
Revises: 68805c4e586a
Create Date: 2026-12-01 08:30:17.109989
"""
from paraph_platform import migration_ops


revision = '16e10c38b038'
down_revision = '68805c4e586a'
branch_labels = None
depends_on = None


def upgrade():
    migration_ops.create_inbox_processed_at_index()


def downgrade():
    migration_ops.drop_inbox_processed_at_index()
