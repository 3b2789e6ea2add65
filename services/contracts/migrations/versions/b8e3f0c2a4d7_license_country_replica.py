"""license_settings.country: the country the company is established in (identity's license setting)"""
from alembic import op
from paraph_platform.migration_columns import string

revision = 'b8e3f0c2a4d7'
down_revision = 'a7c4e2f9d1b3'


def upgrade():
    # null for the replicas already there: their licenses were activated before identity asked for a country
    with op.batch_alter_table('license_settings') as batch:
        batch.add_column(string('country', 2, nullable=True))


def downgrade():
    with op.batch_alter_table('license_settings') as batch:
        batch.drop_column('country')
