"""Platform tables every service includes in its own metadata (outbox, inbox, idempotency keys).

A service declares them next to its domain models, on its own declarative base::

    Outbox, Inbox, IdempotencyKey = platform_models(Base)

Their schema steps, which each service's migrations call, are in paraph_platform.migration_ops: a change
here goes there too (as a new step).
"""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import JSON, BigInteger, Boolean, Index, Integer, String, Text
from sqlalchemy.orm import DeclarativeBase, Mapped, declared_attr, mapped_column

from .db import UTCDateTime, utcnow

BigId = BigInteger().with_variant(Integer(), "sqlite")


class OutboxMixin:
    __tablename__ = "outbox"

    seq: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    event_id: Mapped[str] = mapped_column(String(64), unique=True, nullable=False)
    type: Mapped[str] = mapped_column(String(128), nullable=False)
    payload: Mapped[dict] = mapped_column(JSON, nullable=False)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, nullable=False)
    published_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    next_attempt_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    attempts: Mapped[int] = mapped_column(Integer, default=0, nullable=False)
    unrouted: Mapped[bool] = mapped_column(Boolean, default=False, nullable=False)
    last_error: Mapped[str | None] = mapped_column(Text, nullable=True)

    @declared_attr
    def __table_args__(cls):
        return (Index("ix_outbox_pending", "published_at", "seq"),)


class InboxMixin:
    """Event ids a consumer has already handled (dedupe on redelivery)."""
    __tablename__ = "inbox"

    event_id: Mapped[str] = mapped_column(String(64), primary_key=True)
    consumer: Mapped[str] = mapped_column(String(128), primary_key=True)
    processed_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, nullable=False, index=True)


class IdempotencyKeyMixin:
    """Results of write RPCs by Idempotency-Key, so a redelivered call does not run twice."""
    __tablename__ = "idempotency_keys"

    key: Mapped[str] = mapped_column(String(128), primary_key=True)
    method: Mapped[str] = mapped_column(String(128), primary_key=True)
    fingerprint: Mapped[str] = mapped_column(String(64), nullable=False)
    result: Mapped[dict | None] = mapped_column(JSON, nullable=True)
    # indexed for the hourly purge of old keys (IDEMPOTENCY_RETENTION_HOURS, paraph_platform.db.Database)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, nullable=False, index=True)


def platform_models(base: type[DeclarativeBase]) -> tuple[type, type, type]:
    """A service's Outbox, Inbox and IdempotencyKey models, mapped on its ``base`` (so its metadata, and
    hence its migrations' autogenerate, has them) and named as if written in the module declaring ``base``."""
    def model(name: str, mixin: type) -> type:
        return type(name, (mixin, base), {"__module__": base.__module__, "__qualname__": name})
    return model("Outbox", OutboxMixin), model("Inbox", InboxMixin), model("IdempotencyKey", IdempotencyKeyMixin)
