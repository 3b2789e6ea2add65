"""idempotency key created_at index

Revision ID: 1fb153166218
Revises: 5886031c0781
Create Date: 2026-12-01 08:25:53.790419
"""
from paraph_platform import migration_ops


revision = '1fb153166218'
down_revision = '5886031c0781'
branch_labels = None
depends_on = None


def upgrade():
    migration_ops.create_idempotency_key_created_at_index()


def downgrade():
    migration_ops.drop_idempotency_key_created_at_index()
