"""license country: the replica of each license's country next to its time zone, the order its emails write their
dates in (a company of the United States reads English dates month first; paraph_platform.dates)"""
from paraph_platform import migration_ops
from paraph_platform.migration_columns import string

revision = 'e5a1c7d3f920'
down_revision = 'b7e3d52a91c4'


upgrade, downgrade = migration_ops.added_column('license_time_zones', string, 'country', 2, nullable=True)
