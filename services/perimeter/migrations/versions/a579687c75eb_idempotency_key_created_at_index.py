"""idempotency key created_at index"""
from paraph_platform import migration_ops


revision = 'a579687c75eb'
down_revision = '737aac05239c'
upgrade, downgrade = migration_ops.IDEMPOTENCY_KEY_CREATED_AT_INDEX
