"""quote activity of portal clients"""
import sqlalchemy as sa
from alembic import op
from paraph_platform.migration_columns import string

revision = '5886031c0781'
down_revision = 'cb72f5332876'


def upgrade():
    # batch: also runs on the embedded SQLite database
    with op.batch_alter_table('quote_activity') as batch_op:
        batch_op.add_column(string('channel', 16, server_default='quote_page'))
        batch_op.alter_column('link_id', existing_type=sa.VARCHAR(length=36), nullable=True)


def downgrade():
    op.execute("delete from quote_activity where link_id is null")  # portal clients' views have no link
    with op.batch_alter_table('quote_activity') as batch_op:
        batch_op.alter_column('link_id', existing_type=sa.VARCHAR(length=36), nullable=False)
        batch_op.drop_column('channel')
