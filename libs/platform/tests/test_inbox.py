"""handled_once: an event handler's work is applied once per event id and consumer, in the transaction that
records the event in the inbox; a handler that fails records nothing (its retry applies it)."""
import pytest
from sqlalchemy import Integer, String, select
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

from paraph_platform.db import Db, make_engine
from paraph_platform.inbox import handled_once
from paraph_platform.models import InboxMixin


class Base(DeclarativeBase):
    pass


class Inbox(InboxMixin, Base):
    pass


class Effect(Base):
    __tablename__ = "effects"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    tag: Mapped[str] = mapped_column(String(32))


class Consumer:
    def __init__(self, db):
        self.db = db

    @handled_once(Inbox, "svc.on_thing")
    def on_thing(self, s, event):
        """Records the event's tag."""
        s.add(Effect(tag=event["data"]["tag"]))
        if event["data"].get("fail"):
            raise RuntimeError("handler failed")

    @handled_once(Inbox, "svc.on_thing_too")
    def on_thing_too(self, s, event):
        s.add(Effect(tag="too:" + event["data"]["tag"]))


@pytest.fixture
def consumer(tmp_path):
    engine = make_engine(f"sqlite:///{tmp_path / 'inbox.db'}", shared=False)
    Base.metadata.create_all(engine)
    yield Consumer(Db(engine))
    engine.dispose()


def effects(consumer) -> list[str]:
    with consumer.db.session() as s:
        return sorted(s.execute(select(Effect.tag)).scalars())


def inbox(consumer) -> set[tuple]:
    with consumer.db.session() as s:
        return {tuple(r) for r in s.execute(select(Inbox.event_id, Inbox.consumer))}


def test_a_redelivered_event_is_handled_once(consumer):
    event = {"id": "ev1", "data": {"tag": "a"}}
    consumer.on_thing(event)
    consumer.on_thing(event)
    consumer.on_thing({"id": "ev2", "data": {"tag": "b"}})
    assert effects(consumer) == ["a", "b"]
    assert inbox(consumer) == {("ev1", "svc.on_thing"), ("ev2", "svc.on_thing")}


def test_each_consumer_of_an_event_handles_it_once(consumer):
    event = {"id": "ev1", "data": {"tag": "a"}}
    for _ in range(2):
        consumer.on_thing(event)
        consumer.on_thing_too(event)
    assert effects(consumer) == ["a", "too:a"]


def test_a_failed_attempt_records_nothing_and_its_retry_applies_the_event(consumer):
    with pytest.raises(RuntimeError):
        consumer.on_thing({"id": "ev1", "data": {"tag": "a", "fail": True}})
    assert effects(consumer) == [] and inbox(consumer) == set()
    consumer.on_thing({"id": "ev1", "data": {"tag": "a"}})
    assert effects(consumer) == ["a"]


def test_the_entrypoint_keeps_the_handler_s_name_and_doc():
    # what logs, tracebacks and the service's docs show of it
    assert Consumer.on_thing.__name__ == "on_thing" and Consumer.on_thing.__doc__ == "Records the event's tag."
