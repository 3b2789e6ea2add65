"""keyset pagination index of the clients list"""
import sqlalchemy as sa
from alembic import op

revision = '7b3e9a41c2d8'
down_revision = '2a227ed2c3ae'


def upgrade():
    # the cursor's next page is "(lower(company), name, id) after these": a seek in this index
    op.create_index('ix_access_license_company_name', 'client_accesses',
                    ['license_id', sa.text("lower(coalesce(company, ''))"), 'name', 'id'], unique=False)


def downgrade():
    op.drop_index('ix_access_license_company_name', table_name='client_accesses')
