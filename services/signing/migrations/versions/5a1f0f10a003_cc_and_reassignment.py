"""CC recipients, reassignment and per-request reminder cadence"""
from alembic import op
from paraph_platform.migration_columns import integer, json, string, uuid

revision = '5a1f0f10a003'
down_revision = '5a1f0e1d0002'


def upgrade():
    op.add_column('signature_requests', string('created_by_email', 320, server_default=''))
    op.add_column('signature_requests', string('signing_order', 16, server_default='sequential'))
    op.add_column('signature_requests', integer('reminder_every_days', nullable=True))
    op.add_column('signature_requests', integer('reminder_max', nullable=True))
    op.add_column('signature_requests', json('cc', server_default='[]'))
    op.add_column('participants', uuid('replaced_by', nullable=True))


def downgrade():
    with op.batch_alter_table('participants') as batch:  # SQLite cannot drop a column in place
        batch.drop_column('replaced_by')
    with op.batch_alter_table('signature_requests') as batch:
        for column in ('cc', 'reminder_max', 'reminder_every_days', 'signing_order', 'created_by_email'):
            batch.drop_column(column)
