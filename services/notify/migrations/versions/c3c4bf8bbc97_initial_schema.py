"""initial schema"""
import sqlalchemy as sa
from alembic import op
from paraph_platform import migration_ops
from paraph_platform.migration_columns import boolean, integer, json, string, text, timestamp, uuid

revision = 'c3c4bf8bbc97'
down_revision = None


def upgrade():
    migration_ops.create_platform_tables()
    migration_ops.create_license_table('notification_templates',
    string('name', 64),
    string('locale', 8),
    text('subject'),
    text('text'),
    text('html', nullable=True),
    text('sms', nullable=True),
    string('updated_by', 64, nullable=True),
    timestamp('created_at'),
    timestamp('updated_at'),
    sa.UniqueConstraint('license_id', 'name', 'locale', name='uq_template_license_name_locale')
    )
    op.create_table('notifications',
    uuid('id'),
    uuid('license_id', nullable=True),
    string('channel', 8),
    string('template', 64),
    string('locale', 8),
    string('recipient', 320),
    string('recipient_name', 200, nullable=True),
    string('user_id', 64, nullable=True),
    string('status', 16),
    string('phase', 16, nullable=True),
    integer('attempts'),
    integer('in_doubt_resends'),
    timestamp('next_attempt_at', nullable=True),
    timestamp('lease_until', nullable=True),
    uuid('claim_token', nullable=True),
    string('message_id', 200, nullable=True),
    string('provider_id', 200, nullable=True),
    text('subject', nullable=True),
    text('error', nullable=True),
    json('warnings', nullable=True),
    json('vars', nullable=True),
    json('attachments', nullable=True),
    string('event_id', 64, nullable=True),
    string('event_type', 128, nullable=True),
    string('source', 64, nullable=True),
    string('dedupe_key', 300),
    string('delivery_key', 64),
    timestamp('created_at'),
    timestamp('updated_at'),
    timestamp('sent_at', nullable=True),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('delivery_key', name='uq_notification_delivery_key')
    )
    op.create_index('ix_notification_due', 'notifications', ['status', 'next_attempt_at'], unique=False)
    op.create_index('ix_notification_license_created', 'notifications', ['license_id', 'created_at'], unique=False)
    op.create_index(op.f('ix_notifications_event_id'), 'notifications', ['event_id'], unique=False)
    migration_ops.create_license_table('webhook_subscriptions',
    string('url', 2000),
    string('description', 500),
    json('event_types'),
    string('secret', 200),
    string('previous_secret', 200, nullable=True),
    timestamp('previous_secret_expires_at', nullable=True),
    boolean('enabled'),
    timestamp('disabled_at', nullable=True),
    text('disabled_reason', nullable=True),
    integer('consecutive_failures'),
    integer('failed_deliveries_in_a_row'),
    timestamp('failing_since', nullable=True),
    timestamp('last_success_at', nullable=True),
    timestamp('last_failure_at', nullable=True),
    text('last_error', nullable=True),
    string('created_by', 64, nullable=True),
    timestamp('created_at'),
    timestamp('updated_at'),
    integer('version'),
    )
    op.create_index(op.f('ix_webhook_subscriptions_license_id'), 'webhook_subscriptions', ['license_id'], unique=False)
    op.create_table('webhook_deliveries',
    uuid('id'),
    uuid('subscription_id'),
    uuid('license_id'),
    string('event_id', 64),
    string('event_type', 128),
    json('payload'),
    string('status', 16),
    integer('attempts'),
    timestamp('next_attempt_at', nullable=True),
    timestamp('lease_until', nullable=True),
    uuid('claim_token', nullable=True),
    timestamp('first_attempt_at', nullable=True),
    timestamp('last_attempt_at', nullable=True),
    integer('response_status', nullable=True),
    text('response_body', nullable=True),
    integer('duration_ms', nullable=True),
    text('error', nullable=True),
    json('attempt_log', nullable=True),
    uuid('replay_of', nullable=True),
    string('dedupe_key', 200),
    timestamp('created_at'),
    timestamp('succeeded_at', nullable=True),
    sa.ForeignKeyConstraint(['subscription_id'], ['webhook_subscriptions.id'], ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('dedupe_key', name='uq_webhook_delivery_dedupe')
    )
    op.create_index(op.f('ix_webhook_deliveries_event_id'), 'webhook_deliveries', ['event_id'], unique=False)
    op.create_index('ix_webhook_delivery_due', 'webhook_deliveries', ['status', 'next_attempt_at'], unique=False)
    op.create_index('ix_webhook_delivery_sub_created', 'webhook_deliveries', ['subscription_id', 'created_at'], unique=False)


def downgrade():
    migration_ops.drop_tables('webhook_deliveries', 'webhook_subscriptions', 'notifications',
                              'notification_templates')
    migration_ops.drop_platform_tables()
