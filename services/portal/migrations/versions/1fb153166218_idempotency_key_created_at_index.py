"""idempotency key created_at index"""
from paraph_platform import migration_ops


revision = '1fb153166218'
down_revision = '5886031c0781'
upgrade, downgrade = migration_ops.IDEMPOTENCY_KEY_CREATED_AT_INDEX
