"""bulk send jobs: one document or contract type sent to many recipients"""
import sqlalchemy as sa
from alembic import op
from paraph_platform.db import UTCDateTime

revision = '5a1f0b000008'
down_revision = '5a1f0b000007'


def upgrade():
    op.create_table(
        'bulk_sends',
        sa.Column('id', sa.String(length=36), nullable=False),
        sa.Column('license_id', sa.String(length=36), nullable=False),
        sa.Column('created_by', sa.String(length=36), nullable=False),
        sa.Column('actor', sa.JSON(), nullable=False),
        sa.Column('status', sa.String(length=16), nullable=False),
        sa.Column('kind', sa.String(length=16), nullable=False),
        sa.Column('contract_type_id', sa.String(length=64), nullable=True),
        sa.Column('template', sa.JSON(), nullable=False),
        sa.Column('document_filename', sa.String(length=255), nullable=True),
        sa.Column('document', sa.LargeBinary(), nullable=True),
        sa.Column('rows', sa.JSON(), nullable=False),
        sa.Column('total', sa.Integer(), nullable=False),
        sa.Column('created', sa.Integer(), nullable=False),
        sa.Column('failed', sa.Integer(), nullable=False),
        sa.Column('errors', sa.JSON(), nullable=False),
        sa.Column('results', sa.JSON(), nullable=False),
        sa.Column('claim_token', sa.String(length=36), nullable=True),
        sa.Column('lease_until', UTCDateTime(timezone=True), nullable=True),
        sa.Column('created_at', UTCDateTime(timezone=True), nullable=False),
        sa.Column('updated_at', UTCDateTime(timezone=True), nullable=False),
        sa.Column('finished_at', UTCDateTime(timezone=True), nullable=True),
        sa.PrimaryKeyConstraint('id'),
    )
    op.create_index('ix_bulk_send_license_created', 'bulk_sends', ['license_id', 'created_at'])
    op.create_index('ix_bulk_send_status_lease', 'bulk_sends', ['status', 'lease_until'])


def downgrade():
    op.drop_index('ix_bulk_send_status_lease', table_name='bulk_sends')
    op.drop_index('ix_bulk_send_license_created', table_name='bulk_sends')
    op.drop_table('bulk_sends')
