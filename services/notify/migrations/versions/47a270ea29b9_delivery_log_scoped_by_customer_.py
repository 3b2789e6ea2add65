"""delivery log scoped by customer perimeters: notifications.customer_id and the customer scope replica"""
import sqlalchemy as sa
from alembic import op
from paraph_platform.migration_columns import integer, string, uuid

revision = '47a270ea29b9'
down_revision = '8ec2aaaf6583'


def upgrade():
    op.create_table('customer_scope_versions',
    uuid('customer_id'),
    uuid('license_id'),
    integer('version'),
    sa.PrimaryKeyConstraint('customer_id')
    )
    op.create_table('customer_scopes',
    uuid('customer_id'),
    string('perimeter_id', 64),
    sa.PrimaryKeyConstraint('customer_id', 'perimeter_id')
    )
    op.create_index('ix_customer_scope_perimeter', 'customer_scopes', ['perimeter_id', 'customer_id'], unique=False)
    op.add_column('notifications', uuid('customer_id', nullable=True))
    op.create_index('ix_notification_license_customer', 'notifications', ['license_id', 'customer_id'], unique=False)


def downgrade():
    with op.batch_alter_table('notifications') as batch:  # SQLite cannot drop a column in place
        batch.drop_index('ix_notification_license_customer')
        batch.drop_column('customer_id')
    op.drop_index('ix_customer_scope_perimeter', table_name='customer_scopes')
    op.drop_table('customer_scopes')
    op.drop_table('customer_scope_versions')
