"""idempotency key created_at index"""
from paraph_platform import migration_ops


revision = '68805c4e586a'
down_revision = 'd5d2e4572510'
upgrade, downgrade = migration_ops.IDEMPOTENCY_KEY_CREATED_AT_INDEX
