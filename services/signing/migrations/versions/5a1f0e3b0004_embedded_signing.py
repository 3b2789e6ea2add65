"""embedded signing: one-use, short-lived links opening a participant's signing page in an integrator's frame"""
import sqlalchemy as sa
from alembic import op
from paraph_platform.migration_columns import string, timestamp, uuid

revision = '5a1f0e3b0004'
down_revision = '5a1f0f10a003'


def upgrade():
    op.create_table(
        'embed_tokens',
        uuid('id'),
        string('token_hash', 64),
        uuid('license_id'),
        uuid('request_id'),
        uuid('participant_id'),
        string('origin', 300),
        string('return_url', 2000, nullable=True),
        uuid('created_by'),
        timestamp('created_at'),
        timestamp('expires_at'),
        timestamp('opened_at', nullable=True),
        sa.ForeignKeyConstraint(['participant_id'], ['participants.id']),
        sa.ForeignKeyConstraint(['request_id'], ['signature_requests.id']),
        sa.PrimaryKeyConstraint('id'),
        sa.UniqueConstraint('token_hash'),
    )
    op.create_index('ix_embed_token_participant', 'embed_tokens', ['participant_id', 'created_at'], unique=False)


def downgrade():
    op.drop_index('ix_embed_token_participant', table_name='embed_tokens')
    op.drop_table('embed_tokens')
