"""idempotency key created_at index

Revision ID: 09572622214e
Revises: fa50cbe41374
Create Date: 2026-12-01 08:25:51.954406
"""
from paraph_platform import migration_ops


revision = '09572622214e'
down_revision = 'fa50cbe41374'
branch_labels = None
depends_on = None


def upgrade():
    migration_ops.create_idempotency_key_created_at_index()


def downgrade():
    migration_ops.drop_idempotency_key_created_at_index()
