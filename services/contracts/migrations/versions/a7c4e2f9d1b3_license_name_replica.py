"""license_settings.name: the license's name (the PDFs' issuer until the company profile names another)"""
from paraph_platform import migration_ops
from paraph_platform.migration_columns import string

revision = 'a7c4e2f9d1b3'
down_revision = 'e9a7c3f1d5b8'


# null for the replicas already there: the service asks identity for the name once, when a PDF needs it
upgrade, downgrade = migration_ops.added_column('license_settings', string, 'name', 200, nullable=True)
