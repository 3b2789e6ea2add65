"""customer history (changes of a customer file and its contacts, by staff or by the customer's portal clients)"""
from alembic import op
import sqlalchemy as sa
import paraph_platform.db


revision = 'e7b2c9d41f05'
down_revision = 'c41d7e2a9b10'


def upgrade():
    op.create_table('customer_history',
    sa.Column('id', sa.String(length=36), nullable=False),
    sa.Column('license_id', sa.String(length=36), nullable=False),
    sa.Column('customer_id', sa.String(length=36), nullable=False),
    sa.Column('at', paraph_platform.db.UTCDateTime(timezone=True), nullable=False),
    sa.Column('actor_id', sa.String(length=36), nullable=False),
    sa.Column('actor_name', sa.String(length=200), nullable=False),
    sa.Column('actor_kind', sa.String(length=16), nullable=False),
    sa.Column('action', sa.String(length=60), nullable=False),
    sa.Column('details', sa.JSON(), nullable=False),
    sa.ForeignKeyConstraint(['customer_id'], ['customers.id'], ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id')
    )
    op.create_index('ix_customer_history_customer', 'customer_history', ['customer_id', 'at'], unique=False)


def downgrade():
    op.drop_index('ix_customer_history_customer', table_name='customer_history')
    op.drop_table('customer_history')
