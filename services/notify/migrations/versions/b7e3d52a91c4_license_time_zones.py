"""license time zones: the replica of each license's time zone, its emails' dates and times; the salespeople's
"document signed" (signature_completed_owner) starts as the license's own signature_completed, if it wrote one"""
from uuid import uuid4

import sqlalchemy as sa
from alembic import op
from paraph_platform.migration_columns import integer, string, uuid

revision = 'b7e3d52a91c4'
down_revision = '5d1f0c2a7e41'

COLUMNS = "license_id, name, locale, subject, text, html, sms, updated_by, created_at, updated_at"


def upgrade():
    op.create_table('license_time_zones',
    uuid('license_id'),
    string('time_zone', 64),
    integer('version'),
    sa.PrimaryKeyConstraint('license_id')
    )
    # signature_completed went to the signers and the document's owner alike; it is the signers' now, and the
    # owner gets signature_completed_owner: a license's own wording keeps reaching its salespeople
    bind = op.get_bind()
    owned = bind.execute(sa.text(f"SELECT {COLUMNS} FROM notification_templates "
                                 "WHERE name = 'signature_completed'")).mappings().all()
    for row in owned:
        bind.execute(sa.text(f"INSERT INTO notification_templates (id, {COLUMNS}) VALUES "
                             f"(:id, {', '.join(':' + c.strip() for c in COLUMNS.split(','))})"),
                     {**row, "id": str(uuid4()), "name": "signature_completed_owner"})


def downgrade():
    op.execute("DELETE FROM notification_templates WHERE name = 'signature_completed_owner'")
    op.drop_table('license_time_zones')
