"""contracts.source_id indexed: the home page's quotes still to convert ask, for each accepted quote, whether an
order or an invoice names it as its source"""
from alembic import op

revision = 'd7a4c2e9b3f1'
down_revision = 'c1d5e8a2f4b7'


def upgrade():
    op.create_index('ix_contracts_source_id', 'contracts', ['source_id'], unique=False)


def downgrade():
    op.drop_index('ix_contracts_source_id', table_name='contracts')
