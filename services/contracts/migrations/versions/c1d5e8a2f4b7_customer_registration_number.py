"""customers.registration_number: the customer's company number (a SIREN or SIRET in France)"""
from alembic import op
from paraph_platform.migration_columns import string

revision = 'c1d5e8a2f4b7'
down_revision = 'b8e3f0c2a4d7'


def upgrade():
    with op.batch_alter_table('customers') as batch:
        batch.add_column(string('registration_number', 20, nullable=True))


def downgrade():
    with op.batch_alter_table('customers') as batch:
        batch.drop_column('registration_number')
