"""several documents signed in one request (an envelope)

The documents are combined into the request's ``document`` (the one sealed); ``documents`` says where each
lies in it ([{filename, sha256, size, first_page, pages}]), NULL for the requests on a single document.
"""
from alembic import op
from paraph_platform.migration_columns import json

revision = '5a1f0b000007'
down_revision = '5a1f0a7c0006'


def upgrade():
    op.add_column('signature_requests', json('documents', nullable=True))


def downgrade():
    with op.batch_alter_table('signature_requests') as batch:  # SQLite cannot drop a column in place
        batch.drop_column('documents')
