"""license_settings.name: the license's name (the PDFs' issuer until the company profile names another)"""
from alembic import op
from paraph_platform.migration_columns import string

revision = 'a7c4e2f9d1b3'
down_revision = 'e9a7c3f1d5b8'


def upgrade():
    # null for the replicas already there: the service asks identity for the name once, when a PDF needs it
    with op.batch_alter_table('license_settings') as batch:
        batch.add_column(string('name', 200, nullable=True))


def downgrade():
    with op.batch_alter_table('license_settings') as batch:
        batch.drop_column('name')
