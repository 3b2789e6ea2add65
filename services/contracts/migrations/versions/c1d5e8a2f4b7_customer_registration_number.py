"""customers.registration_number: the customer's company number (a SIREN or SIRET in France)"""
from paraph_platform import migration_ops
from paraph_platform.migration_columns import string

revision = 'c1d5e8a2f4b7'
down_revision = 'b8e3f0c2a4d7'


upgrade, downgrade = migration_ops.added_column('customers', string, 'registration_number', 20, nullable=True)
