"""retention indexes"""
from alembic import op
from paraph_platform import migration_ops

revision = 'a0e250ce6723'
down_revision = 'c3c4bf8bbc97'


def upgrade():
    migration_ops.create_inbox_processed_at_index()
    op.create_index('ix_notification_created', 'notifications', ['created_at'], unique=False)
    op.create_index('ix_webhook_delivery_created', 'webhook_deliveries', ['created_at'], unique=False)


def downgrade():
    op.drop_index('ix_webhook_delivery_created', table_name='webhook_deliveries')
    op.drop_index('ix_notification_created', table_name='notifications')
    migration_ops.drop_inbox_processed_at_index()
