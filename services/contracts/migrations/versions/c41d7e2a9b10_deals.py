"""deals (a customer's sales opportunities) and contracts.deal_id"""
from alembic import op
import sqlalchemy as sa
import paraph_platform.db


revision = 'c41d7e2a9b10'
down_revision = '2fd212a96170'


def upgrade():
    op.create_table('deals',
    sa.Column('id', sa.String(length=36), nullable=False),
    sa.Column('license_id', sa.String(length=36), nullable=False),
    sa.Column('customer_id', sa.String(length=36), nullable=False),
    sa.Column('title', sa.String(length=300), nullable=False),
    sa.Column('stage', sa.String(length=16), nullable=False),
    sa.Column('amount', sa.Numeric(precision=14, scale=2), nullable=True),
    sa.Column('currency', sa.String(length=3), nullable=False),
    sa.Column('expected_close_date', sa.Date(), nullable=True),
    sa.Column('owner_id', sa.String(length=36), nullable=False),
    sa.Column('owner_name', sa.String(length=200), nullable=False),
    sa.Column('notes', sa.Text(), nullable=False),
    sa.Column('created_by', sa.String(length=36), nullable=False),
    sa.Column('created_at', paraph_platform.db.UTCDateTime(timezone=True), nullable=False),
    sa.Column('updated_at', paraph_platform.db.UTCDateTime(timezone=True), nullable=False),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['customer_id'], ['customers.id'], ),
    sa.PrimaryKeyConstraint('id')
    )
    op.create_index('ix_deal_customer', 'deals', ['customer_id', 'created_at'], unique=False)
    op.create_index('ix_deal_license_updated', 'deals', ['license_id', 'updated_at'], unique=False)
    with op.batch_alter_table('contracts') as batch:
        batch.add_column(sa.Column('deal_id', sa.String(length=36), nullable=True))
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
