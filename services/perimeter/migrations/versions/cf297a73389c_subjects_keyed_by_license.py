"""subjects keyed by license

Subjects and assignments were keyed by (subject_type, subject_id): one row per person whatever
their licenses, so a second license's admin could not give that person perimeters, and any admin
could write into another license's subjects. They are now keyed by (license_id, subject_type,
subject_id). Existing rows keep their license (the key only widens, so no row can clash).
"""
import sqlalchemy as sa
from alembic import op
import warnings

revision = 'cf297a73389c'
down_revision = '49496cb0d0d2'

NEW_KEYS = {"subjects": ["license_id", "subject_type", "subject_id"],
            "assignments": ["license_id", "subject_type", "subject_id", "perimeter_id"]}
OLD_KEYS = {"subjects": ["subject_type", "subject_id"],
            "assignments": ["subject_type", "subject_id", "perimeter_id"]}


def _set_primary_key(table: str, columns: list[str]):
    name = f"{table}_pkey"  # PostgreSQL's name for the unnamed key of the initial schema
    if op.get_bind().dialect.name == "sqlite":
        # SQLite cannot alter a primary key: the batch copies the table under the new key. SQLAlchemy
        # warns that the reflected columns still carry the old key's flags; the new key is the one kept.
        with warnings.catch_warnings():
            warnings.filterwarnings("ignore", r"Table '_alembic_tmp_\w+' specifies columns", sa.exc.SAWarning)
            with op.batch_alter_table(table, recreate="always") as batch:
                batch.create_primary_key(name, columns)
    else:
        op.drop_constraint(name, table, type_="primary")
        op.create_primary_key(name, table, columns)


def upgrade():
    op.drop_index(op.f('ix_subjects_license_id'), table_name='subjects')  # the key now starts with it
    for table, columns in NEW_KEYS.items():
        _set_primary_key(table, columns)


def downgrade():
    # fails if a person holds subjects in two licenses (the old key cannot hold both)
    for table, columns in OLD_KEYS.items():
        _set_primary_key(table, columns)
    op.create_index(op.f('ix_subjects_license_id'), 'subjects', ['license_id'], unique=False)
