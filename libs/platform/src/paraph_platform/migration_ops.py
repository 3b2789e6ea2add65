"""The platform's own tables (outbox, inbox, idempotency keys) in every service's Alembic migrations.

Every service keeps these tables in its own database; their models are declared once in
paraph_platform.models, and the schema steps that build them are declared once here, each called by a
revision of every service (``migration_ops.create_platform_tables()`` in its initial schema; a revision that
is only one platform step names the pair: ``upgrade, downgrade = migration_ops.INBOX_PROCESSED_AT_INDEX``).

Each function is one step of these tables' history, frozen once released: a database migrated by an
earlier version has run the step as it was written then, so editing a step would make new databases
differ from old ones. A change to these tables is a new pair of functions here, mirrored in
paraph_platform.models, and a new revision in every service that calls them.

The services' own revisions write their columns with paraph_platform.migration_columns, create a table of a
license's rows with :func:`create_license_table`, drop their tables with :func:`drop_tables`, and a revision that
only adds a column is :func:`added_column`.
"""
from __future__ import annotations

from typing import Callable, NamedTuple

import sqlalchemy as sa
from alembic import op

from .db import UTCDateTime
from .migration_columns import uuid


def create_platform_tables():
    """The three tables as the services' initial schemas created them (their later indexes come after)."""
    op.create_table(
        "idempotency_keys",
        sa.Column("key", sa.String(length=128), nullable=False),
        sa.Column("method", sa.String(length=128), nullable=False),
        sa.Column("fingerprint", sa.String(length=64), nullable=False),
        sa.Column("result", sa.JSON(), nullable=True),
        sa.Column("created_at", UTCDateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("key", "method"),
    )
    op.create_table(
        "inbox",
        sa.Column("event_id", sa.String(length=64), nullable=False),
        sa.Column("consumer", sa.String(length=128), nullable=False),
        sa.Column("processed_at", UTCDateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("event_id", "consumer"),
    )
    op.create_table(
        "outbox",
        sa.Column("seq", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), autoincrement=True,
                  nullable=False),
        sa.Column("event_id", sa.String(length=64), nullable=False),
        sa.Column("type", sa.String(length=128), nullable=False),
        sa.Column("payload", sa.JSON(), nullable=False),
        sa.Column("created_at", UTCDateTime(timezone=True), nullable=False),
        sa.Column("published_at", UTCDateTime(timezone=True), nullable=True),
        sa.Column("next_attempt_at", UTCDateTime(timezone=True), nullable=True),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("unrouted", sa.Boolean(), nullable=False),
        sa.Column("last_error", sa.Text(), nullable=True),
        sa.PrimaryKeyConstraint("seq"),
        sa.UniqueConstraint("event_id"),
    )
    op.create_index("ix_outbox_pending", "outbox", ["published_at", "seq"], unique=False)


def drop_platform_tables():
    op.drop_index("ix_outbox_pending", table_name="outbox")
    op.drop_table("outbox")
    op.drop_table("inbox")
    op.drop_table("idempotency_keys")


def create_license_table(name: str, *columns_and_constraints):
    """A table of a license's rows, as every service's revisions create them: a UUID ``id`` (its primary key)
    and the ``license_id`` it belongs to come first, then ``columns_and_constraints`` (migration_columns kinds,
    other constraints). Frozen, as the revisions calling it are: a different table is a new function."""
    op.create_table(name, uuid("id"), uuid("license_id"), *columns_and_constraints, sa.PrimaryKeyConstraint("id"))


def drop_tables(*tables: str):
    """A downgrade's ``drop_table`` of each table, in order (dependent tables first). PostgreSQL and SQLite
    drop a table's indexes with it, so a downgrade names only its tables."""
    for table in tables:
        op.drop_table(table)


# for the hourly purge of old keys (IDEMPOTENCY_RETENTION_HOURS, paraph_platform.db.Database)
def create_idempotency_key_created_at_index():
    op.create_index(op.f("ix_idempotency_keys_created_at"), "idempotency_keys", ["created_at"], unique=False)


def drop_idempotency_key_created_at_index():
    op.drop_index(op.f("ix_idempotency_keys_created_at"), table_name="idempotency_keys")


# for the purge of old inbox rows (INBOX_RETENTION_DAYS, paraph_platform.db.Database)
def create_inbox_processed_at_index():
    op.create_index(op.f("ix_inbox_processed_at"), "inbox", ["processed_at"], unique=False)


def drop_inbox_processed_at_index():
    op.drop_index(op.f("ix_inbox_processed_at"), table_name="inbox")


class Step(NamedTuple):
    """One step of these tables' history as a revision's ``upgrade`` and ``downgrade`` functions."""
    upgrade: Callable[[], None]
    downgrade: Callable[[], None]


IDEMPOTENCY_KEY_CREATED_AT_INDEX = Step(create_idempotency_key_created_at_index, drop_idempotency_key_created_at_index)
INBOX_PROCESSED_AT_INDEX = Step(create_inbox_processed_at_index, drop_inbox_processed_at_index)


def added_column(table: str, kind: Callable[..., sa.Column], name: str, *args, **options) -> Step:
    """A revision that adds one column to one of the service's tables and drops it on the way down:
    ``upgrade, downgrade = migration_ops.added_column("users", string, "phone_country", 2, nullable=True)``
    (``kind`` and what follows: a paraph_platform.migration_columns kind and its arguments). In batch mode, as
    SQLite alters a table by copying it; the column is made anew at each upgrade (a Column belongs to one Table,
    and a process may migrate several databases)."""
    def upgrade():
        with op.batch_alter_table(table) as batch:
            batch.add_column(kind(name, *args, **options))

    def downgrade():
        with op.batch_alter_table(table) as batch:
            batch.drop_column(name)

    return Step(upgrade, downgrade)
