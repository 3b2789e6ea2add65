"""initial schema"""
import sqlalchemy as sa
from alembic import op
from paraph_platform import migration_ops
from paraph_platform.migration_columns import blob, boolean, date, integer, json, numeric, string, text, timestamp, uuid

revision = 'db530e8482dd'
down_revision = None


def upgrade():
    migration_ops.create_platform_tables()
    migration_ops.create_license_table('contract_types',
    string('name', 200),
    string('kind', 16),
    text('description'),
    text('template_html'),
    json('merge_fields'),
    string('locale', 8, nullable=True),
    boolean('attachments_portal_visible', nullable=True),
    integer('abandon_delay_days', nullable=True),
    boolean('archived'),
    uuid('created_by'),
    timestamp('created_at'),
    timestamp('updated_at'),
    sa.UniqueConstraint('license_id', 'name', name='uq_type_name')
    )
    op.create_index(op.f('ix_contract_types_license_id'), 'contract_types', ['license_id'], unique=False)
    op.create_table('counters',
    uuid('license_id'),
    string('kind', 16),
    integer('year'),
    integer('value'),
    sa.PrimaryKeyConstraint('license_id', 'kind', 'year')
    )
    migration_ops.create_license_table('custom_columns',
    string('key', 60),
    string('label', 120),
    string('type', 16),
    json('choices'),
    integer('position'),
    sa.UniqueConstraint('license_id', 'key', name='uq_column_key')
    )
    migration_ops.create_license_table('customers',
    string('kind', 16),
    string('code', 64),
    string('name', 200),
    string('email', 320, nullable=True),
    string('phone', 40, nullable=True),
    json('address'),
    string('vat_number', 40, nullable=True),
    string('locale', 8, nullable=True),
    string('currency', 3, nullable=True),
    text('notes'),
    uuid('created_by'),
    timestamp('created_at'),
    timestamp('updated_at'),
    sa.UniqueConstraint('license_id', 'code', name='uq_customer_code')
    )
    op.create_index('ix_customer_license_name', 'customers', ['license_id', 'name'], unique=False)
    migration_ops.create_license_table('flags',
    string('key', 60),
    string('label', 120),
    string('color', 7),
    sa.UniqueConstraint('license_id', 'key', name='uq_flag_key')
    )
    op.create_table('license_settings',
    uuid('license_id'),
    integer('abandon_delay_days'),
    string('locale', 8),
    string('currency', 3),
    boolean('portal_attachments_visible_by_default'),
    integer('version'),
    sa.PrimaryKeyConstraint('license_id')
    )
    op.create_table('scope_versions',
    string('subject_type', 16),
    string('subject_id', 64),
    integer('version'),
    sa.PrimaryKeyConstraint('subject_type', 'subject_id')
    )
    migration_ops.create_license_table('contacts',
    uuid('customer_id'),
    string('first_name', 100),
    string('last_name', 100),
    string('title', 100, nullable=True),
    string('department', 100, nullable=True),
    string('type', 60, nullable=True),
    string('email', 320, nullable=True),
    string('phone', 40, nullable=True),
    string('mobile', 40, nullable=True),
    string('fax', 40, nullable=True),
    string('branch', 200, nullable=True),
    timestamp('created_at'),
    timestamp('updated_at'),
    sa.ForeignKeyConstraint(['customer_id'], ['customers.id'], ondelete='CASCADE'),
    )
    op.create_index('ix_contact_customer', 'contacts', ['customer_id'], unique=False)
    op.create_index(op.f('ix_contacts_license_id'), 'contacts', ['license_id'], unique=False)
    op.create_table('contract_type_scopes',
    uuid('contract_type_id'),
    string('perimeter_id', 64),
    sa.ForeignKeyConstraint(['contract_type_id'], ['contract_types.id'], ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('contract_type_id', 'perimeter_id')
    )
    op.create_index('ix_type_scope_perimeter', 'contract_type_scopes', ['perimeter_id', 'contract_type_id'], unique=False)
    op.create_table('customer_scopes',
    uuid('customer_id'),
    string('perimeter_id', 64),
    sa.ForeignKeyConstraint(['customer_id'], ['customers.id'], ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('customer_id', 'perimeter_id')
    )
    op.create_index('ix_customer_scope_perimeter', 'customer_scopes', ['perimeter_id', 'customer_id'], unique=False)
    migration_ops.create_license_table('contracts',
    string('kind', 16),
    string('number', 40),
    string('title', 300),
    string('status', 16),
    uuid('customer_id'),
    uuid('contact_id', nullable=True),
    uuid('contract_type_id', nullable=True),
    uuid('owner_id'),
    string('owner_name', 200),
    string('owner_email', 320),
    string('currency', 3),
    string('locale', 8),
    json('data'),
    json('custom'),
    text('notes'),
    string('deal_ref', 120, nullable=True),
    date('valid_until', nullable=True),
    numeric('subtotal', 14, 2),
    numeric('tax_total', 14, 2),
    numeric('total', 14, 2),
    uuid('source_id', nullable=True),
    uuid('created_by'),
    timestamp('created_at'),
    timestamp('updated_at'),
    timestamp('sent_at', nullable=True),
    timestamp('signed_at', nullable=True),
    timestamp('closed_at', nullable=True),
    json('signers'),
    uuid('signature_request_id', nullable=True),
    boolean('portal_shared'),
    integer('view_count'),
    integer('download_count'),
    timestamp('last_viewed_at', nullable=True),
    integer('version'),
    sa.ForeignKeyConstraint(['contact_id'], ['contacts.id'], ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['contract_type_id'], ['contract_types.id'], ),
    sa.ForeignKeyConstraint(['customer_id'], ['customers.id'], ),
    sa.UniqueConstraint('license_id', 'number', name='uq_contract_number')
    )
    op.create_index('ix_contract_abandon', 'contracts', ['status', 'created_at'], unique=False)
    op.create_index('ix_contract_customer', 'contracts', ['customer_id', 'created_at'], unique=False)
    op.create_index('ix_contract_license_created', 'contracts', ['license_id', 'created_at'], unique=False)
    migration_ops.create_license_table('attachments',
    uuid('contract_id'),
    string('folder', 200),
    string('filename', 255),
    string('content_type', 120),
    integer('size'),
    string('sha256', 64),
    blob('content'),
    boolean('portal_visible'),
    uuid('created_by'),
    timestamp('created_at'),
    sa.ForeignKeyConstraint(['contract_id'], ['contracts.id'], ondelete='CASCADE'),
    )
    op.create_index('ix_attachment_contract', 'attachments', ['contract_id'], unique=False)
    op.create_table('contract_flags',
    uuid('contract_id'),
    string('key', 60),
    sa.ForeignKeyConstraint(['contract_id'], ['contracts.id'], ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('contract_id', 'key')
    )
    op.create_index('ix_contract_flag_key', 'contract_flags', ['key', 'contract_id'], unique=False)
    op.create_table('documents',
    uuid('id'),
    uuid('contract_id'),
    string('fingerprint', 64),
    string('sha256', 64),
    integer('size'),
    blob('content'),
    timestamp('rendered_at'),
    sa.ForeignKeyConstraint(['contract_id'], ['contracts.id'], ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('contract_id', 'fingerprint', name='uq_document_fingerprint')
    )
    migration_ops.create_license_table('history',
    uuid('contract_id'),
    timestamp('at'),
    uuid('actor_id'),
    string('action', 60),
    json('details'),
    sa.ForeignKeyConstraint(['contract_id'], ['contracts.id'], ondelete='CASCADE'),
    )
    op.create_index('ix_history_contract', 'history', ['contract_id', 'at'], unique=False)
    op.create_table('lines',
    uuid('id'),
    uuid('contract_id'),
    integer('position'),
    string('product_code', 64, nullable=True),
    text('description'),
    numeric('quantity', 14, 3),
    string('unit', 20, nullable=True),
    numeric('unit_price', 14, 2),
    numeric('discount_pct', 5, 2),
    numeric('tax_rate', 5, 2),
    boolean('optional'),
    boolean('selected'),
    sa.ForeignKeyConstraint(['contract_id'], ['contracts.id'], ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id')
    )
    op.create_index('ix_line_contract', 'lines', ['contract_id', 'position'], unique=False)
    migration_ops.create_license_table('milestones',
    uuid('contract_id'),
    string('title', 300),
    text('description'),
    date('due_date', nullable=True),
    timestamp('done_at', nullable=True),
    boolean('portal_visible'),
    integer('position'),
    sa.ForeignKeyConstraint(['contract_id'], ['contracts.id'], ondelete='CASCADE'),
    )
    op.create_index('ix_milestone_contract', 'milestones', ['contract_id'], unique=False)
    migration_ops.create_license_table('tasks',
    uuid('contract_id'),
    string('title', 300),
    date('due_date', nullable=True),
    uuid('assignee_id', nullable=True),
    boolean('done'),
    uuid('created_by'),
    timestamp('created_at'),
    sa.ForeignKeyConstraint(['contract_id'], ['contracts.id'], ondelete='CASCADE'),
    )
    op.create_index('ix_task_contract', 'tasks', ['contract_id'], unique=False)


def downgrade():
    migration_ops.drop_tables('tasks', 'milestones', 'lines', 'history', 'documents', 'contract_flags',
                              'attachments', 'contracts', 'customer_scopes', 'contract_type_scopes',
                              'contacts', 'scope_versions', 'license_settings', 'flags', 'customers',
                              'custom_columns', 'counters', 'contract_types')
    migration_ops.drop_platform_tables()
