"""inbox processed_at index"""
from paraph_platform import migration_ops


revision = '2a227ed2c3ae'
down_revision = '1fb153166218'
upgrade, downgrade = migration_ops.INBOX_PROCESSED_AT_INDEX
