"""perimeter tables: perimeters, assignments of users/customers/contract types, per-subject versions."""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, Index, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

from paraph_platform.db import UTCDateTime, created_at_of_row, new_id, utcnow
from paraph_platform.models import platform_models

SUBJECT_TYPES = ("user", "customer", "contract_type")


class Base(DeclarativeBase):
    pass


Outbox, Inbox, IdempotencyKey = platform_models(Base)


class Perimeter(Base):
    __tablename__ = "perimeters"
    __table_args__ = (UniqueConstraint("license_id", "name", name="uq_perimeter_name"),)

    id: Mapped[str] = mapped_column(String(36), primary_key=True, default=new_id)
    license_id: Mapped[str] = mapped_column(String(36), nullable=False, index=True)
    name: Mapped[str] = mapped_column(String(120), nullable=False)
    description: Mapped[str] = mapped_column(Text, default="", nullable=False)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, nullable=False)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=created_at_of_row, nullable=False)


class Subject(Base):
    """A user, customer or contract type of one license, registered when its owning service creates it
    (or vouches for it); version orders its assignment changes (0 = registered, never assigned).
    Keyed by license: a person who belongs to two licenses is two subjects with separate perimeters."""
    __tablename__ = "subjects"

    license_id: Mapped[str] = mapped_column(String(36), primary_key=True)
    subject_type: Mapped[str] = mapped_column(String(16), primary_key=True)
    subject_id: Mapped[str] = mapped_column(String(64), primary_key=True)
    version: Mapped[int] = mapped_column(Integer, default=0, nullable=False)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=created_at_of_row, nullable=False)


class Assignment(Base):
    __tablename__ = "assignments"
    __table_args__ = (Index("ix_assignment_perimeter", "perimeter_id", "subject_type"),)

    license_id: Mapped[str] = mapped_column(String(36), primary_key=True)
    subject_type: Mapped[str] = mapped_column(String(16), primary_key=True)
    subject_id: Mapped[str] = mapped_column(String(64), primary_key=True)
    perimeter_id: Mapped[str] = mapped_column(ForeignKey("perimeters.id", ondelete="CASCADE"), primary_key=True)
