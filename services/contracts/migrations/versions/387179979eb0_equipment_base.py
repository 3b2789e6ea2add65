"""equipment base"""
import sqlalchemy as sa
from alembic import op
from paraph_platform import migration_ops
from paraph_platform.migration_columns import date, numeric, string, text, timestamp, uuid

revision = '387179979eb0'
down_revision = 'f5573d05c086'


def upgrade():
    migration_ops.create_license_table('equipment',
    uuid('customer_id'),
    string('product_code', 64, nullable=True),
    text('description'),
    string('serial_number', 100, nullable=True),
    numeric('quantity', 14, 3),
    date('installed_on', nullable=True),
    date('warranty_until', nullable=True),
    string('status', 16),
    text('notes'),
    uuid('source_contract_id', nullable=True),
    string('source_number', 40, nullable=True),
    uuid('source_line_id', nullable=True),
    uuid('created_by'),
    timestamp('created_at'),
    timestamp('updated_at'),
    sa.ForeignKeyConstraint(['customer_id'], ['customers.id'], ondelete='CASCADE'),
    sa.UniqueConstraint('source_line_id', name='uq_equipment_source_line')
    )
    op.create_index('ix_equipment_customer', 'equipment', ['customer_id', 'status'], unique=False)


def downgrade():
    op.drop_index('ix_equipment_customer', table_name='equipment')
    op.drop_table('equipment')
