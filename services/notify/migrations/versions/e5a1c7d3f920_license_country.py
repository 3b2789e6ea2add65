"""license country: the replica of each license's country next to its time zone, the order its emails write their
dates in (a company of the United States reads English dates month first; paraph_platform.dates)"""
from alembic import op
from paraph_platform.migration_columns import string

revision = 'e5a1c7d3f920'
down_revision = 'b7e3d52a91c4'


def upgrade():
    with op.batch_alter_table('license_time_zones') as batch:
        batch.add_column(string('country', 2, nullable=True))


def downgrade():
    with op.batch_alter_table('license_time_zones') as batch:
        batch.drop_column('country')
