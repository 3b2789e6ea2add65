"""users.phone_country: the country a user's number was read in when it was checked"""
from alembic import op
from paraph_platform.migration_columns import string

revision = 'c4f2a8e61d93'
down_revision = '3b7e51c0a9d2'


def upgrade():
    # null for the numbers already there: they were checked as French numbers, and are read so
    with op.batch_alter_table('users') as batch:
        batch.add_column(string('phone_country', 2, nullable=True))


def downgrade():
    with op.batch_alter_table('users') as batch:
        batch.drop_column('phone_country')
