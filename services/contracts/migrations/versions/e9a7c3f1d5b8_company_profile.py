"""company profile: the issuer the PDFs name"""
from alembic import op
import sqlalchemy as sa
import paraph_platform.db


revision = 'e9a7c3f1d5b8'
down_revision = 'd4e8f1a2b3c6'


def upgrade():
    op.create_table('company_profiles',
    sa.Column('license_id', sa.String(length=36), nullable=False),
    sa.Column('name', sa.String(length=200), nullable=False),
    sa.Column('address', sa.JSON(), nullable=False),
    sa.Column('siren', sa.String(length=9), nullable=True),
    sa.Column('siret', sa.String(length=14), nullable=True),
    sa.Column('vat_number', sa.String(length=20), nullable=True),
    sa.Column('legal_form', sa.String(length=60), nullable=True),
    sa.Column('share_capital', sa.Numeric(precision=16, scale=2), nullable=True),
    sa.Column('rcs_city', sa.String(length=120), nullable=True),
    sa.Column('phone', sa.String(length=40), nullable=True),
    sa.Column('email', sa.String(length=320), nullable=True),
    sa.Column('website', sa.String(length=300), nullable=True),
    sa.Column('logo_asset_id', sa.String(length=36), nullable=True),
    sa.Column('updated_by', sa.String(length=36), nullable=False),
    sa.Column('updated_at', paraph_platform.db.UTCDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['logo_asset_id'], ['assets.id'], ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('license_id')
    )


def downgrade():
    op.drop_table('company_profiles')
