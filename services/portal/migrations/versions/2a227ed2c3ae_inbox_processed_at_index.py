"""inbox processed_at index

Revision ID: 2a227ed2c3ae
Revises: 1fb153166218
Create Date: 2026-12-01 08:30:23.556684
"""
from paraph_platform import migration_ops


revision = '2a227ed2c3ae'
down_revision = '1fb153166218'
branch_labels = None
depends_on = None


def upgrade():
    migration_ops.create_inbox_processed_at_index()


def downgrade():
    migration_ops.drop_inbox_processed_at_index()
