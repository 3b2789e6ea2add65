"""idempotency key created_at index"""
from paraph_platform import migration_ops


revision = '8ec2aaaf6583'
down_revision = 'a0e250ce6723'
upgrade, downgrade = migration_ops.IDEMPOTENCY_KEY_CREATED_AT_INDEX
