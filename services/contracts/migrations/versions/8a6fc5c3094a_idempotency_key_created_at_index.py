"""idempotency key created_at index"""
from paraph_platform import migration_ops


revision = '8a6fc5c3094a'
down_revision = 'a02fcd887ff7'
upgrade, downgrade = migration_ops.IDEMPOTENCY_KEY_CREATED_AT_INDEX
