"""keyset pagination indexes: the logs' (created_at, id) order ends with the id"""
from alembic import op


revision = '5d1f0c2a7e41'
down_revision = '47a270ea29b9'


def upgrade():
    # the cursor's next page is "created_at, id before these": a seek in (scope, created_at, id), read backwards
    op.create_index('ix_notification_license_created_id', 'notifications', ['license_id', 'created_at', 'id'],
                    unique=False)
    op.drop_index('ix_notification_license_created', table_name='notifications')
    op.create_index('ix_webhook_delivery_sub_created_id', 'webhook_deliveries',
                    ['subscription_id', 'created_at', 'id'], unique=False)
    op.drop_index('ix_webhook_delivery_sub_created', table_name='webhook_deliveries')


def downgrade():
    op.create_index('ix_webhook_delivery_sub_created', 'webhook_deliveries', ['subscription_id', 'created_at'],
                    unique=False)
    op.drop_index('ix_webhook_delivery_sub_created_id', table_name='webhook_deliveries')
    op.create_index('ix_notification_license_created', 'notifications', ['license_id', 'created_at'], unique=False)
    op.drop_index('ix_notification_license_created_id', table_name='notifications')
