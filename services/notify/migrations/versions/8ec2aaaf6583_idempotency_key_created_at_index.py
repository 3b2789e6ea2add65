"""idempotency key created_at index

Revision ID: 8ec2aaaf6583
Revises: a0e250ce6723
Create Date: 2026-12-01 08:25:55.450789
"""
from paraph_platform import migration_ops


revision = '8ec2aaaf6583'
down_revision = 'a0e250ce6723'
branch_labels = None
depends_on = None


def upgrade():
    migration_ops.create_idempotency_key_created_at_index()


def downgrade():
    migration_ops.drop_idempotency_key_created_at_index()
