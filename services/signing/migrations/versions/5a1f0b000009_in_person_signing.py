"""in-person signing: an embed URL of kind "in_person" opens a participant's signing page at the top of a staff
member's browser (no origin), who is named in the evidence"""
import sqlalchemy as sa
from alembic import op
from paraph_platform.migration_columns import string

revision = '5a1f0b000009'
down_revision = '5a1f0b000008'


def upgrade():
    # batch: also runs on the embedded SQLite database
    with op.batch_alter_table('embed_tokens') as batch:
        batch.add_column(string('kind', 16, server_default='embed'))
        batch.add_column(string('created_by_name', 200, nullable=True))
        batch.alter_column('origin', existing_type=sa.String(length=300), nullable=True)


def downgrade():
    op.execute("delete from embed_tokens where kind <> 'embed'")  # in-person URLs have no origin
    with op.batch_alter_table('embed_tokens') as batch:
        batch.alter_column('origin', existing_type=sa.String(length=300), nullable=False)
        batch.drop_column('created_by_name')
        batch.drop_column('kind')
