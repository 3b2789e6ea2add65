"""A new row's updated_at is its created_at, to the microsecond (paraph_platform.db.created_at_of_row)."""
from datetime import datetime, timezone

from sqlalchemy import String, create_engine
from sqlalchemy.orm import DeclarativeBase, Mapped, Session, mapped_column

from paraph_platform.db import UTCDateTime, created_at_of_row, utcnow


class Base(DeclarativeBase):
    pass


class Row(Base):
    __tablename__ = "rows"
    id: Mapped[str] = mapped_column(String(8), primary_key=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, nullable=False)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=created_at_of_row, nullable=False)


def test_a_new_row_was_last_updated_when_it_was_created():
    """Each column calling utcnow() put updated_at a few microseconds before created_at: an integrator syncing
    by updated_at read a row changed before it existed. One row, several in one flush, and a row created at a
    time of its own (an import) all get updated_at = created_at; a later update sets its own time."""
    engine = create_engine("sqlite://")
    Base.metadata.create_all(engine)
    imported = datetime(2026, 1, 2, 3, 4, 5, 678901, tzinfo=timezone.utc)
    with Session(engine) as s:
        s.add(Row(id="one"))
        s.flush()
        s.add_all([Row(id=f"many{n}") for n in range(5)] + [Row(id="imported", created_at=imported)])
        s.commit()
        rows = s.query(Row).all()
        assert len(rows) == 7 and all(r.updated_at == r.created_at for r in rows)
        assert s.get(Row, "imported").updated_at == imported
