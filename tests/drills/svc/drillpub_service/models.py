from sqlalchemy.orm import DeclarativeBase

from paraph_platform.models import OutboxMixin


class Base(DeclarativeBase):
    pass


class Outbox(OutboxMixin, Base):
    pass
