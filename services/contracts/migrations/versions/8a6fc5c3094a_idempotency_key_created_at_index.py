"""idempotency key created_at index

Revision ID: 8a6fc5c3094a
Revises: a02fcd887ff7
Create Date: 2026-12-01 08:25:50.481276
"""
from paraph_platform import migration_ops


revision = '8a6fc5c3094a'
down_revision = 'a02fcd887ff7'
branch_labels = None
depends_on = None


def upgrade():
    migration_ops.create_idempotency_key_created_at_index()


def downgrade():
    migration_ops.drop_idempotency_key_created_at_index()
