"""The kinds of column the services' Alembic revisions are written in, one name per kind.

A revision reads as what its columns hold (``uuid('customer_id')``, ``timestamp('signed_at', nullable=True)``)
rather than as SQLAlchemy type spellings; NOT NULL is the default, as it is for almost every column here.

Frozen, like every revision that calls them (see paraph_platform.migration_ops): a database migrated by an
earlier version ran each revision with these kinds as they are written now, so changing what a kind makes
would make new databases differ from old ones. A new kind of column is a new function.
"""
from __future__ import annotations

import sqlalchemy as sa

from .db import UTCDateTime


def _column(name: str, type_, nullable: bool, **options) -> sa.Column:
    return sa.Column(name, type_, nullable=nullable, **options)


def uuid(name: str, nullable: bool = False, **options) -> sa.Column:
    """An id (a UUID's 36 characters): a row's own or one it refers to."""
    return _column(name, sa.String(length=36), nullable, **options)


def string(name: str, length: int, nullable: bool = False, **options) -> sa.Column:
    return _column(name, sa.String(length=length), nullable, **options)


def text(name: str, nullable: bool = False, **options) -> sa.Column:
    return _column(name, sa.Text(), nullable, **options)


def timestamp(name: str, nullable: bool = False, **options) -> sa.Column:
    """A moment, stored with its time zone and read back in UTC (paraph_platform.db.UTCDateTime)."""
    return _column(name, UTCDateTime(timezone=True), nullable, **options)


def date(name: str, nullable: bool = False, **options) -> sa.Column:
    return _column(name, sa.Date(), nullable, **options)


def integer(name: str, nullable: bool = False, **options) -> sa.Column:
    return _column(name, sa.Integer(), nullable, **options)


def numeric(name: str, precision: int, scale: int, nullable: bool = False, **options) -> sa.Column:
    """An exact decimal: amounts (14, 2), quantities (14, 3), rates (5, 2)."""
    return _column(name, sa.Numeric(precision=precision, scale=scale), nullable, **options)


def real(name: str, nullable: bool = False, **options) -> sa.Column:
    return _column(name, sa.Float(), nullable, **options)


def boolean(name: str, nullable: bool = False, **options) -> sa.Column:
    return _column(name, sa.Boolean(), nullable, **options)


def json(name: str, nullable: bool = False, **options) -> sa.Column:
    return _column(name, sa.JSON(), nullable, **options)


def blob(name: str, nullable: bool = False, **options) -> sa.Column:
    """Bytes: an uploaded file, a PDF, an image."""
    return _column(name, sa.LargeBinary(), nullable, **options)
