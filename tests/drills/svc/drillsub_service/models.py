from datetime import datetime

from sqlalchemy import BigInteger, Integer, String
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

from paraph_platform.db import UTCDateTime, utcnow
from paraph_platform.models import InboxMixin

Seq = BigInteger().with_variant(Integer(), "sqlite")


class Base(DeclarativeBase):
    pass


class Inbox(InboxMixin, Base):
    pass


class Delivery(Base):
    """Every delivery of an event to the handler (redeliveries included), committed on its own."""
    __tablename__ = "deliveries"
    seq: Mapped[int] = mapped_column(Seq, primary_key=True, autoincrement=True)
    event_id: Mapped[str] = mapped_column(String(64), nullable=False)
    at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, nullable=False)


class Effect(Base):
    """The handler's side effect; no unique constraint, so a duplicated effect would show."""
    __tablename__ = "effects"
    seq: Mapped[int] = mapped_column(Seq, primary_key=True, autoincrement=True)
    event_id: Mapped[str] = mapped_column(String(64), nullable=False)
    tag: Mapped[str] = mapped_column(String(64), nullable=False)
    n: Mapped[int] = mapped_column(Integer, nullable=False)
