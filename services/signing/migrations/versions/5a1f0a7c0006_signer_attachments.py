"""files signers are asked to upload"""
import sqlalchemy as sa
from alembic import op
from paraph_platform.migration_columns import blob, boolean, integer, string, timestamp, uuid

revision = '5a1f0a7c0006'
down_revision = '5a1f0f1a0005'


def upgrade():
    op.create_table(
        'signer_attachments',
        uuid('id'),
        uuid('request_id'),
        uuid('participant_id'),
        integer('position'),
        string('name', 200),
        boolean('required'),
        string('filename', 255, nullable=True),
        string('content_type', 64, nullable=True),
        integer('size', nullable=True),
        string('sha256', 64, nullable=True),
        blob('content', nullable=True),
        timestamp('uploaded_at', nullable=True),
        sa.ForeignKeyConstraint(['participant_id'], ['participants.id']),
        sa.ForeignKeyConstraint(['request_id'], ['signature_requests.id']),
        sa.PrimaryKeyConstraint('id'),
    )
    op.create_index('ix_signer_attachment_request', 'signer_attachments', ['request_id', 'participant_id', 'position'])


def downgrade():
    op.drop_index('ix_signer_attachment_request', table_name='signer_attachments')
    op.drop_table('signer_attachments')
