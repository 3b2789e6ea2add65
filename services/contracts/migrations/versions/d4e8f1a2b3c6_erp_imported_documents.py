"""ERP imported documents: contracts.source, numbers unique per kind"""
from alembic import op
from paraph_platform.migration_columns import string

revision = 'd4e8f1a2b3c6'
down_revision = 'b3d5a7c9e1f2'


def upgrade():
    # SQLite cannot alter a constraint in place: batch mode copies the table (a plain ALTER on PostgreSQL)
    with op.batch_alter_table('contracts') as batch:
        # "erp" for the orders and invoices imported from the ERP (numbered by it), NULL for Paraph's own
        batch.add_column(string('source', 16, nullable=True))
        # the ERP numbers its orders and invoices in separate series: a number is unique per kind
        batch.drop_constraint('uq_contract_number', type_='unique')
        batch.create_unique_constraint('uq_contract_kind_number', ['license_id', 'kind', 'number'])


def downgrade():
    with op.batch_alter_table('contracts') as batch:
        batch.drop_constraint('uq_contract_kind_number', type_='unique')
        batch.create_unique_constraint('uq_contract_number', ['license_id', 'number'])
        batch.drop_column('source')
