"""license_settings.country: the country the company is established in (identity's license setting)"""
from paraph_platform import migration_ops
from paraph_platform.migration_columns import string

revision = 'b8e3f0c2a4d7'
down_revision = 'a7c4e2f9d1b3'


# null for the replicas already there: their licenses were activated before identity asked for a country
upgrade, downgrade = migration_ops.added_column('license_settings', string, 'country', 2, nullable=True)
