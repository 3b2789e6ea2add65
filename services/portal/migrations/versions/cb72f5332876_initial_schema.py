"""initial schema"""
import sqlalchemy as sa
from alembic import op
from paraph_platform import migration_ops
from paraph_platform.migration_columns import boolean, integer, string, text, timestamp, uuid

revision = 'cb72f5332876'
down_revision = None


def upgrade():
    migration_ops.create_platform_tables()
    migration_ops.create_license_table('client_accesses',
    uuid('contact_id'),
    uuid('customer_id'),
    uuid('user_id'),
    string('email', 320),
    string('name', 200),
    string('user_code', 64),
    string('company', 200, nullable=True),
    string('branch', 200, nullable=True),
    string('allowed_ip', 64, nullable=True),
    string('locale', 8),
    string('status', 16),
    uuid('granted_by'),
    timestamp('created_at'),
    timestamp('updated_at'),
    sa.UniqueConstraint('license_id', 'contact_id', name='uq_access_contact')
    )
    op.create_index('ix_access_customer', 'client_accesses', ['license_id', 'customer_id'], unique=False)
    op.create_index('ix_access_user', 'client_accesses', ['license_id', 'user_id'], unique=False)
    migration_ops.create_license_table('quote_links',
    uuid('contract_id'),
    uuid('contact_id'),
    string('contact_name', 200),
    string('contact_email', 320),
    string('locale', 8),
    string('signature_request_id', 64, nullable=True),
    uuid('created_by'),
    timestamp('created_at'),
    timestamp('last_sent_at', nullable=True),
    timestamp('revoked_at', nullable=True),
    uuid('revoked_by', nullable=True),
    sa.UniqueConstraint('license_id', 'contract_id', 'contact_id', name='uq_link_contact')
    )
    op.create_index('ix_link_contract', 'quote_links', ['license_id', 'contract_id'], unique=False)
    migration_ops.create_license_table('shares',
    uuid('contract_id'),
    uuid('customer_id'),
    string('customer_name', 200),
    string('company', 200, nullable=True),
    string('branch', 200, nullable=True),
    uuid('requester_contact_id'),
    boolean('show_attachments', nullable=True),
    text('message'),
    string('kind', 16),
    string('number', 40),
    string('title', 300),
    string('status', 16),
    uuid('owner_id'),
    uuid('shared_by'),
    string('shared_by_name', 200),
    timestamp('shared_at'),
    timestamp('updated_at'),
    timestamp('revoked_at', nullable=True),
    uuid('revoked_by', nullable=True),
    integer('version'),
    sa.UniqueConstraint('license_id', 'contract_id', name='uq_share_contract')
    )
    op.create_index('ix_share_customer', 'shares', ['license_id', 'customer_id', 'revoked_at'], unique=False)
    migration_ops.create_license_table('quote_activity',
    uuid('contract_id'),
    uuid('link_id'),
    uuid('contact_id'),
    string('kind', 16),
    timestamp('at'),
    string('ip', 64, nullable=True),
    string('user_agent', 500, nullable=True),
    text('message', nullable=True),
    sa.ForeignKeyConstraint(['link_id'], ['quote_links.id'], ondelete='CASCADE'),
    )
    op.create_index('ix_activity_contract', 'quote_activity', ['license_id', 'contract_id', 'at'], unique=False)
    op.create_index('ix_activity_link', 'quote_activity', ['link_id', 'kind', 'at'], unique=False)
    migration_ops.create_license_table('quote_sends',
    uuid('contract_id'),
    uuid('link_id'),
    uuid('contact_id'),
    string('to', 320),
    string('template', 40),
    boolean('reminder'),
    boolean('attach_pdf'),
    boolean('request_signature'),
    string('signature_request_id', 64, nullable=True),
    text('message'),
    uuid('sent_by'),
    timestamp('sent_at'),
    sa.ForeignKeyConstraint(['link_id'], ['quote_links.id'], ondelete='CASCADE'),
    )
    op.create_index('ix_send_contract', 'quote_sends', ['license_id', 'contract_id', 'sent_at'], unique=False)
    op.create_table('quote_tokens',
    string('token_hash', 64),
    uuid('link_id'),
    timestamp('created_at'),
    timestamp('expires_at'),
    timestamp('revoked_at', nullable=True),
    sa.ForeignKeyConstraint(['link_id'], ['quote_links.id'], ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('token_hash')
    )
    op.create_index(op.f('ix_quote_tokens_link_id'), 'quote_tokens', ['link_id'], unique=False)
    op.create_table('share_participants',
    uuid('share_id'),
    uuid('contact_id'),
    string('role', 16),
    uuid('user_id'),
    timestamp('notified_at', nullable=True),
    sa.ForeignKeyConstraint(['share_id'], ['shares.id'], ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('share_id', 'contact_id')
    )
    op.create_index('ix_participant_contact', 'share_participants', ['contact_id'], unique=False)


def downgrade():
    migration_ops.drop_tables('share_participants', 'quote_tokens', 'quote_sends', 'quote_activity',
                              'shares', 'quote_links', 'client_accesses')
    migration_ops.drop_platform_tables()
