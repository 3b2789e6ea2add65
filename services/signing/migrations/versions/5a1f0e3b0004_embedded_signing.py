"""embedded signing: one-use, short-lived links opening a participant's signing page in an integrator's frame"""
import sqlalchemy as sa
from alembic import op

from paraph_platform.db import UTCDateTime

revision = '5a1f0e3b0004'
down_revision = '5a1f0f10a003'


def upgrade():
    op.create_table(
        'embed_tokens',
        sa.Column('id', sa.String(length=36), nullable=False),
        sa.Column('token_hash', sa.String(length=64), nullable=False),
        sa.Column('license_id', sa.String(length=36), nullable=False),
        sa.Column('request_id', sa.String(length=36), nullable=False),
        sa.Column('participant_id', sa.String(length=36), nullable=False),
        sa.Column('origin', sa.String(length=300), nullable=False),
        sa.Column('return_url', sa.String(length=2000), nullable=True),
        sa.Column('created_by', sa.String(length=36), nullable=False),
        sa.Column('created_at', UTCDateTime(timezone=True), nullable=False),
        sa.Column('expires_at', UTCDateTime(timezone=True), nullable=False),
        sa.Column('opened_at', UTCDateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(['participant_id'], ['participants.id']),
        sa.ForeignKeyConstraint(['request_id'], ['signature_requests.id']),
        sa.PrimaryKeyConstraint('id'),
        sa.UniqueConstraint('token_hash'),
    )
    op.create_index('ix_embed_token_participant', 'embed_tokens', ['participant_id', 'created_at'], unique=False)


def downgrade():
    op.drop_index('ix_embed_token_participant', table_name='embed_tokens')
    op.drop_table('embed_tokens')
