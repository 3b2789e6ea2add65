"""signature_requests.license_country: the country of the company sending the request, as its name, kept at
creation (the order the signing page's English dates read in: paraph_platform.dates)"""
from paraph_platform import migration_ops
from paraph_platform.migration_columns import string

revision = '5a1f0b00000a'
down_revision = '5a1f0b000009'


# null for the requests already there: their pages read English dates day first, as they did
upgrade, downgrade = migration_ops.added_column('signature_requests', string, 'license_country', 2, nullable=True)
