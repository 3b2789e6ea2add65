"""deals (a customer's sales opportunities) and contracts.deal_id"""
import sqlalchemy as sa
from alembic import op
from paraph_platform import migration_ops
from paraph_platform.migration_columns import date, integer, numeric, string, text, timestamp, uuid

revision = 'c41d7e2a9b10'
down_revision = '2fd212a96170'


def upgrade():
    migration_ops.create_license_table('deals',
    uuid('customer_id'),
    string('title', 300),
    string('stage', 16),
    numeric('amount', 14, 2, nullable=True),
    string('currency', 3),
    date('expected_close_date', nullable=True),
    uuid('owner_id'),
    string('owner_name', 200),
    text('notes'),
    uuid('created_by'),
    timestamp('created_at'),
    timestamp('updated_at'),
    integer('version'),
    sa.ForeignKeyConstraint(['customer_id'], ['customers.id'], ),
    )
    op.create_index('ix_deal_customer', 'deals', ['customer_id', 'created_at'], unique=False)
    op.create_index('ix_deal_license_updated', 'deals', ['license_id', 'updated_at'], unique=False)
    with op.batch_alter_table('contracts') as batch:
        batch.add_column(uuid('deal_id', nullable=True))
        batch.create_index('ix_contracts_deal_id', ['deal_id'], unique=False)
        batch.create_foreign_key('fk_contracts_deal_id', 'deals', ['deal_id'], ['id'])


def downgrade():
    with op.batch_alter_table('contracts') as batch:
        batch.drop_constraint('fk_contracts_deal_id', type_='foreignkey')
        batch.drop_index('ix_contracts_deal_id')
        batch.drop_column('deal_id')
    op.drop_index('ix_deal_license_updated', table_name='deals')
    op.drop_index('ix_deal_customer', table_name='deals')
    op.drop_table('deals')
