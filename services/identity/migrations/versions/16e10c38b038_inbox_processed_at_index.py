"""inbox processed_at index"""
from paraph_platform import migration_ops


revision = '16e10c38b038'
down_revision = '68805c4e586a'
upgrade, downgrade = migration_ops.INBOX_PROCESSED_AT_INDEX
