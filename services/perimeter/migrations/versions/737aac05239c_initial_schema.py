"""initial schema"""
import sqlalchemy as sa
from alembic import op
from paraph_platform import migration_ops
from paraph_platform.migration_columns import integer, string, text, timestamp, uuid

revision = '737aac05239c'
down_revision = None


def upgrade():
    migration_ops.create_platform_tables()
    migration_ops.create_license_table('perimeters',
    string('name', 120),
    text('description'),
    timestamp('created_at'),
    timestamp('updated_at'),
    sa.UniqueConstraint('license_id', 'name', name='uq_perimeter_name')
    )
    op.create_index(op.f('ix_perimeters_license_id'), 'perimeters', ['license_id'], unique=False)
    op.create_table('subjects',
    string('subject_type', 16),
    string('subject_id', 64),
    uuid('license_id'),
    integer('version'),
    timestamp('updated_at'),
    sa.PrimaryKeyConstraint('subject_type', 'subject_id')
    )
    op.create_index(op.f('ix_subjects_license_id'), 'subjects', ['license_id'], unique=False)
    op.create_table('assignments',
    string('subject_type', 16),
    string('subject_id', 64),
    uuid('perimeter_id'),
    uuid('license_id'),
    sa.ForeignKeyConstraint(['perimeter_id'], ['perimeters.id'], ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('subject_type', 'subject_id', 'perimeter_id')
    )
    op.create_index('ix_assignment_perimeter', 'assignments', ['perimeter_id', 'subject_type'], unique=False)


def downgrade():
    migration_ops.drop_tables('assignments', 'subjects', 'perimeters')
    migration_ops.drop_platform_tables()
