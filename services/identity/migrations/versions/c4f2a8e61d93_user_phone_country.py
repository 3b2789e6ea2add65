"""users.phone_country: the country a user's number was read in when it was checked"""
from paraph_platform import migration_ops
from paraph_platform.migration_columns import string

revision = 'c4f2a8e61d93'
down_revision = '3b7e51c0a9d2'


# null for the numbers already there: they were checked as French numbers, and are read so
upgrade, downgrade = migration_ops.added_column('users', string, 'phone_country', 2, nullable=True)
