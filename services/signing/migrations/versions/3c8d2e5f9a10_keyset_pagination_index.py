"""keyset pagination index of the requests list"""
from alembic import op


revision = '3c8d2e5f9a10'
down_revision = 'd0b621f5a132'


def upgrade():
    # the cursor's next page is "(created_at, id) before these": a seek in this index, read backwards
    op.create_index('ix_request_license_created_id', 'signature_requests', ['license_id', 'created_at', 'id'],
                    unique=False)


def downgrade():
    op.drop_index('ix_request_license_created_id', table_name='signature_requests')
