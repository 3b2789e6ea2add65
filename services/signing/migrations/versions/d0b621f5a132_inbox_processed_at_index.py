"""inbox processed_at index"""
from paraph_platform import migration_ops


revision = 'd0b621f5a132'
down_revision = '09572622214e'
upgrade, downgrade = migration_ops.INBOX_PROCESSED_AT_INDEX
