"""inbox processed_at index

Revision ID: f5573d05c086
Revises: 8a6fc5c3094a
Create Date: 2026-12-01 08:30:20.304698
"""
from paraph_platform import migration_ops


revision = 'f5573d05c086'
down_revision = '8a6fc5c3094a'
branch_labels = None
depends_on = None


def upgrade():
    migration_ops.create_inbox_processed_at_index()


def downgrade():
    migration_ops.drop_inbox_processed_at_index()
