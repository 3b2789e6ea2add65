"""requests on uploaded documents (no contract)

A request on a PDF uploaded by its sender has no contract: contract_id becomes nullable (contract_kind is
"document", contract_number the file's name).
"""
import sqlalchemy as sa
from alembic import op

revision = '5a1f0f1a0005'
down_revision = '5a1f0e3b0004'


def upgrade():
    with op.batch_alter_table('signature_requests') as batch:  # SQLite cannot alter a column in place
        batch.alter_column('contract_id', existing_type=sa.String(length=36), nullable=True)


def downgrade():
    # fails while requests on uploaded documents exist: they cannot be kept without a contract, and
    # deleting evidence silently is worse than a downgrade that stops
    with op.batch_alter_table('signature_requests') as batch:
        batch.alter_column('contract_id', existing_type=sa.String(length=36), nullable=False)
