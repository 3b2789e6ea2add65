"""bulk send jobs: one document or contract type sent to many recipients"""
import sqlalchemy as sa
from alembic import op
from paraph_platform.migration_columns import blob, integer, json, string, timestamp, uuid

revision = '5a1f0b000008'
down_revision = '5a1f0b000007'


def upgrade():
    op.create_table(
        'bulk_sends',
        uuid('id'),
        uuid('license_id'),
        uuid('created_by'),
        json('actor'),
        string('status', 16),
        string('kind', 16),
        string('contract_type_id', 64, nullable=True),
        json('template'),
        string('document_filename', 255, nullable=True),
        blob('document', nullable=True),
        json('rows'),
        integer('total'),
        integer('created'),
        integer('failed'),
        json('errors'),
        json('results'),
        uuid('claim_token', nullable=True),
        timestamp('lease_until', nullable=True),
        timestamp('created_at'),
        timestamp('updated_at'),
        timestamp('finished_at', nullable=True),
        sa.PrimaryKeyConstraint('id'),
    )
    op.create_index('ix_bulk_send_license_created', 'bulk_sends', ['license_id', 'created_at'])
    op.create_index('ix_bulk_send_status_lease', 'bulk_sends', ['status', 'lease_until'])


def downgrade():
    op.drop_index('ix_bulk_send_status_lease', table_name='bulk_sends')
    op.drop_index('ix_bulk_send_license_created', table_name='bulk_sends')
    op.drop_table('bulk_sends')
