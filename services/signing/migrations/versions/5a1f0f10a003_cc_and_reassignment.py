"""CC recipients, reassignment and per-request reminder cadence"""
import sqlalchemy as sa
from alembic import op

revision = '5a1f0f10a003'
down_revision = '5a1f0e1d0002'


def upgrade():
    op.add_column('signature_requests', sa.Column('created_by_email', sa.String(length=320), server_default='',
                                                  nullable=False))
    op.add_column('signature_requests', sa.Column('signing_order', sa.String(length=16), server_default='sequential',
                                                  nullable=False))
    op.add_column('signature_requests', sa.Column('reminder_every_days', sa.Integer(), nullable=True))
    op.add_column('signature_requests', sa.Column('reminder_max', sa.Integer(), nullable=True))
    op.add_column('signature_requests', sa.Column('cc', sa.JSON(), server_default='[]', nullable=False))
    op.add_column('participants', sa.Column('replaced_by', sa.String(length=36), nullable=True))


def downgrade():
    with op.batch_alter_table('participants') as batch:  # SQLite cannot drop a column in place
        batch.drop_column('replaced_by')
    with op.batch_alter_table('signature_requests') as batch:
        for column in ('cc', 'reminder_max', 'reminder_every_days', 'signing_order', 'created_by_email'):
            batch.drop_column(column)
