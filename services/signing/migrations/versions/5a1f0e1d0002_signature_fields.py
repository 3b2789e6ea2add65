"""placed fields of a request and the values signers gave"""
import sqlalchemy as sa
from alembic import op
from paraph_platform.migration_columns import blob, boolean, integer, json, real, string, timestamp, uuid

revision = '5a1f0e1d0002'
down_revision = '5a1f0e5e0001'


def upgrade():
    with op.batch_alter_table('signature_requests') as batch:
        batch.add_column(json('page_sizes', nullable=True))
    op.create_table(
        'signature_fields',
        uuid('id'),
        uuid('request_id'),
        uuid('participant_id'),
        integer('position'),
        string('type', 16),
        integer('page'),
        real('x'),
        real('y'),
        real('width'),
        real('height'),
        boolean('required'),
        string('label', 200, nullable=True),
        string('source', 16),
        json('value', nullable=True),
        blob('value_image', nullable=True),
        timestamp('filled_at', nullable=True),
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
