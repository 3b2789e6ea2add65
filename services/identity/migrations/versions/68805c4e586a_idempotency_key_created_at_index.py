"""idempotency key created_at index

Revision ID: 68805c4e586a
Revises: d5d2e4572510
Create Date: 2026-12-01 08:25:47.658867
"""
from paraph_platform import migration_ops


revision = '68805c4e586a'
down_revision = 'd5d2e4572510'
branch_labels = None
depends_on = None


def upgrade():
    migration_ops.create_idempotency_key_created_at_index()


def downgrade():
    migration_ops.drop_idempotency_key_created_at_index()
