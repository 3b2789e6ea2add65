"""signature tracking"""
import sqlalchemy as sa
from alembic import op
from paraph_platform.migration_columns import boolean, string, uuid

revision = 'a02fcd887ff7'
down_revision = 'db530e8482dd'


def upgrade():
    op.create_table('signature_tracking',
    string('request_id', 64),
    uuid('contract_id'),
    boolean('closed'),
    sa.PrimaryKeyConstraint('request_id')
    )
    op.create_index('ix_signature_tracking_contract', 'signature_tracking', ['contract_id', 'closed'], unique=False)


def downgrade():
    op.drop_index('ix_signature_tracking_contract', table_name='signature_tracking')
    op.drop_table('signature_tracking')
