"""idempotency key created_at index"""
from paraph_platform import migration_ops


revision = '09572622214e'
down_revision = 'fa50cbe41374'
upgrade, downgrade = migration_ops.IDEMPOTENCY_KEY_CREATED_AT_INDEX
