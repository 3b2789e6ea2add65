"""inbox processed_at index

Revision ID: 49496cb0d0d2
Revises: a579687c75eb
Create Date: 2026-12-01 08:30:18.577027
"""
from paraph_platform import migration_ops


revision = '49496cb0d0d2'
down_revision = 'a579687c75eb'
branch_labels = None
depends_on = None


def upgrade():
    migration_ops.create_inbox_processed_at_index()


def downgrade():
    migration_ops.drop_inbox_processed_at_index()
