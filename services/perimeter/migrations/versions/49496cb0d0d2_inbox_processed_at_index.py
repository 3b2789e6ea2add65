"""inbox processed_at index"""
from paraph_platform import migration_ops


revision = '49496cb0d0d2'
down_revision = 'a579687c75eb'
upgrade, downgrade = migration_ops.INBOX_PROCESSED_AT_INDEX
