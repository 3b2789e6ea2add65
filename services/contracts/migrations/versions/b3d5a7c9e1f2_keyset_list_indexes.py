"""keyset list indexes: every list's order ends with the id (cursor pagination, issue 13)

Each list's index now ends with the id its order ends with, so a cursor page ("the rows after this one")
is an index range read whatever its depth. The wider indexes replace the ones they extend (same leading
columns). Plain CREATE INDEX (not CONCURRENTLY): migrations run in one transaction under the migration
lock (paraph_platform.migrations); at 1,000,000 contracts each contracts index builds in a few seconds,
during which writes to that table wait.
"""
from alembic import op


revision = 'b3d5a7c9e1f2'
down_revision = 'e7b2c9d41f05'

# (table, new index, its columns, the index it replaces or None)
INDEXES = [
    ("contracts", "ix_contract_license_created_id", ["license_id", "created_at", "id"], "ix_contract_license_created"),
    ("contracts", "ix_contract_customer_created_id", ["customer_id", "created_at", "id"], "ix_contract_customer"),
    ("contracts", "ix_contract_license_viewed", ["license_id", "last_viewed_at", "id"], None),
    ("customers", "ix_customer_license_name_id", ["license_id", "name", "id"], "ix_customer_license_name"),
    ("customers", "ix_customer_license_created", ["license_id", "created_at", "id"], None),
    ("deals", "ix_deal_license_updated_id", ["license_id", "updated_at", "id"], "ix_deal_license_updated"),
    ("tasks", "ix_task_license_open_due", ["license_id", "done", "due_date", "created_at", "id"], None),
]
REPLACED_COLUMNS = {"ix_contract_license_created": ["license_id", "created_at"],
                    "ix_contract_customer": ["customer_id", "created_at"],
                    "ix_customer_license_name": ["license_id", "name"],
                    "ix_deal_license_updated": ["license_id", "updated_at"]}


def upgrade():
    for table, name, columns, replaced in INDEXES:
        op.create_index(name, table, columns, unique=False)
        if replaced:
            op.drop_index(replaced, table_name=table)


def downgrade():
    for table, name, _columns, replaced in reversed(INDEXES):
        if replaced:
            op.create_index(replaced, table, REPLACED_COLUMNS[replaced], unique=False)
        op.drop_index(name, table_name=table)
