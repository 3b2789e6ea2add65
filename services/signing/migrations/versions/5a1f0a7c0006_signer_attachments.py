"""files signers are asked to upload"""
import sqlalchemy as sa
from alembic import op
from paraph_platform.db import UTCDateTime

revision = '5a1f0a7c0006'
down_revision = '5a1f0f1a0005'


def upgrade():
    op.create_table(
        'signer_attachments',
        sa.Column('id', sa.String(length=36), nullable=False),
        sa.Column('request_id', sa.String(length=36), nullable=False),
        sa.Column('participant_id', sa.String(length=36), nullable=False),
        sa.Column('position', sa.Integer(), nullable=False),
        sa.Column('name', sa.String(length=200), nullable=False),
        sa.Column('required', sa.Boolean(), nullable=False),
        sa.Column('filename', sa.String(length=255), nullable=True),
        sa.Column('content_type', sa.String(length=64), nullable=True),
        sa.Column('size', sa.Integer(), nullable=True),
        sa.Column('sha256', sa.String(length=64), nullable=True),
        sa.Column('content', sa.LargeBinary(), nullable=True),
        sa.Column('uploaded_at', UTCDateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(['participant_id'], ['participants.id']),
        sa.ForeignKeyConstraint(['request_id'], ['signature_requests.id']),
        sa.PrimaryKeyConstraint('id'),
    )
    op.create_index('ix_signer_attachment_request', 'signer_attachments', ['request_id', 'participant_id', 'position'])


def downgrade():
    op.drop_index('ix_signer_attachment_request', table_name='signer_attachments')
    op.drop_table('signer_attachments')
