"""idempotency key created_at index

Revision ID: a579687c75eb
Revises: 737aac05239c
Create Date: 2026-12-01 08:25:49.016698
"""
from paraph_platform import migration_ops


revision = 'a579687c75eb'
down_revision = '737aac05239c'
branch_labels = None
depends_on = None


def upgrade():
    migration_ops.create_idempotency_key_created_at_index()


def downgrade():
    migration_ops.drop_idempotency_key_created_at_index()
