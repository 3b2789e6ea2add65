"""company profile: the issuer the PDFs name"""
import sqlalchemy as sa
from alembic import op
from paraph_platform.migration_columns import json, numeric, string, timestamp, uuid

revision = 'e9a7c3f1d5b8'
down_revision = 'd4e8f1a2b3c6'


def upgrade():
    op.create_table('company_profiles',
    uuid('license_id'),
    string('name', 200),
    json('address'),
    string('siren', 9, nullable=True),
    string('siret', 14, nullable=True),
    string('vat_number', 20, nullable=True),
    string('legal_form', 60, nullable=True),
    numeric('share_capital', 16, 2, nullable=True),
    string('rcs_city', 120, nullable=True),
    string('phone', 40, nullable=True),
    string('email', 320, nullable=True),
    string('website', 300, nullable=True),
    uuid('logo_asset_id', nullable=True),
    uuid('updated_by'),
    timestamp('updated_at'),
    sa.ForeignKeyConstraint(['logo_asset_id'], ['assets.id'], ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('license_id')
    )


def downgrade():
    op.drop_table('company_profiles')
