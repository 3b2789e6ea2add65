"""customer history (changes of a customer file and its contacts, by staff or by the customer's portal clients)"""
import sqlalchemy as sa
from alembic import op
from paraph_platform import migration_ops
from paraph_platform.migration_columns import json, string, timestamp, uuid

revision = 'e7b2c9d41f05'
down_revision = 'c41d7e2a9b10'


def upgrade():
    migration_ops.create_license_table('customer_history',
    uuid('customer_id'),
    timestamp('at'),
    uuid('actor_id'),
    string('actor_name', 200),
    string('actor_kind', 16),
    string('action', 60),
    json('details'),
    sa.ForeignKeyConstraint(['customer_id'], ['customers.id'], ondelete='CASCADE'),
    )
    op.create_index('ix_customer_history_customer', 'customer_history', ['customer_id', 'at'], unique=False)


def downgrade():
    op.drop_index('ix_customer_history_customer', table_name='customer_history')
    op.drop_table('customer_history')
