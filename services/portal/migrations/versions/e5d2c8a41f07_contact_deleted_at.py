"""when a client access's contact was deleted (contracts' contact.deleted)"""
from alembic import op
from paraph_platform.migration_columns import timestamp

revision = 'e5d2c8a41f07'
down_revision = '7b3e9a41c2d8'


def upgrade():
    # batch: also runs on the embedded SQLite database
    with op.batch_alter_table('client_accesses') as batch_op:
        batch_op.add_column(timestamp('contact_deleted_at', nullable=True))


def downgrade():
    with op.batch_alter_table('client_accesses') as batch_op:
        batch_op.drop_column('contact_deleted_at')
