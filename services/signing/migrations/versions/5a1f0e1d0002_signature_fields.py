"""placed fields of a request and the values signers gave"""
import sqlalchemy as sa
from alembic import op

from paraph_platform.db import UTCDateTime

revision = '5a1f0e1d0002'
down_revision = '5a1f0e5e0001'


def upgrade():
    with op.batch_alter_table('signature_requests') as batch:
        batch.add_column(sa.Column('page_sizes', sa.JSON(), nullable=True))
    op.create_table(
        'signature_fields',
        sa.Column('id', sa.String(length=36), nullable=False),
        sa.Column('request_id', sa.String(length=36), nullable=False),
        sa.Column('participant_id', sa.String(length=36), nullable=False),
        sa.Column('position', sa.Integer(), nullable=False),
        sa.Column('type', sa.String(length=16), nullable=False),
        sa.Column('page', sa.Integer(), nullable=False),
        sa.Column('x', sa.Float(), nullable=False),
        sa.Column('y', sa.Float(), nullable=False),
        sa.Column('width', sa.Float(), nullable=False),
        sa.Column('height', sa.Float(), nullable=False),
        sa.Column('required', sa.Boolean(), nullable=False),
        sa.Column('label', sa.String(length=200), nullable=True),
        sa.Column('source', sa.String(length=16), nullable=False),
        sa.Column('value', sa.JSON(), nullable=True),
        sa.Column('value_image', sa.LargeBinary(), nullable=True),
        sa.Column('filled_at', UTCDateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(['participant_id'], ['participants.id']),
        sa.ForeignKeyConstraint(['request_id'], ['signature_requests.id']),
        sa.PrimaryKeyConstraint('id'),
    )
    op.create_index('ix_signature_field_request', 'signature_fields', ['request_id', 'participant_id', 'position'])


def downgrade():
    op.drop_index('ix_signature_field_request', table_name='signature_fields')
    op.drop_table('signature_fields')
    with op.batch_alter_table('signature_requests') as batch:
        batch.drop_column('page_sizes')
