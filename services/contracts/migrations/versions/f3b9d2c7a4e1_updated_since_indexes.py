"""contracts and customers indexed by (license, updated_at, id): an integration's sync asks often for the rows
changed since its last run (``GET /contracts?updated_since=``, ``GET /customers?updated_since=``), an index range
read instead of a scan of the license's rows; deals have theirs (ix_deal_license_updated_id). Plain CREATE INDEX,
as b3d5a7c9e1f2's (migrations run in one transaction under the migration lock)."""
from alembic import op

revision = 'f3b9d2c7a4e1'
down_revision = 'd7a4c2e9b3f1'

INDEXES = [("contracts", "ix_contract_license_updated_id"), ("customers", "ix_customer_license_updated_id")]


def upgrade():
    for table, name in INDEXES:
        op.create_index(name, table, ["license_id", "updated_at", "id"], unique=False)


def downgrade():
    for table, name in reversed(INDEXES):
        op.drop_index(name, table_name=table)
