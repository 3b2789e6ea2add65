"""inbox processed_at index"""
from paraph_platform import migration_ops


revision = 'f5573d05c086'
down_revision = '8a6fc5c3094a'
upgrade, downgrade = migration_ops.INBOX_PROCESSED_AT_INDEX
