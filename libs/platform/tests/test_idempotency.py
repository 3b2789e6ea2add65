"""Write calls under an Idempotency-Key (paraph_platform.idempotency, @endpoint(write=True)):

* the keys and ids a redelivery must repeat are functions of the call's key (nested calls, stable_id);
* the method's writes and its stored result are committed in one transaction: a crash after the writes
  and before the commit leaves nothing (a redelivery runs the call again and succeeds, no 409), and a
  redelivery after the commit returns the stored result without running the method;
* a deliberate 4xx keeps what the method did before it and is stored as the call's answer (not a 429);
  a 5xx or a bug rolls everything back;
* the look-up of a stored answer is the first statement of the call's one transaction.

On the embedded SQLite (whose savepoints need care) and on PostgreSQL.
"""
from __future__ import annotations

import uuid
from types import SimpleNamespace

import eventlet
import pytest
from marshmallow import ValidationError
from sqlalchemy import String, event, func, select
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

from paraph_platform import rpc as rpcmod
from paraph_platform.db import Db, make_engine
from paraph_platform.errors import Conflict, InvalidInput, PreconditionFailed, TooManyRequests, Unavailable
from paraph_platform.idempotency import (IDEMPOTENCY_KEY, call_scope_key, derive_key, nested_call_key,
                                         stable_id)
from paraph_platform.models import IdempotencyKeyMixin
from paraph_platform.service import endpoint


class Base(DeclarativeBase):
    pass


class IdempotencyKey(IdempotencyKeyMixin, Base):
    pass


class Thing(Base):
    __tablename__ = "things"
    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    name: Mapped[str] = mapped_column(String(100))


class Attempt(Base):
    __tablename__ = "attempts"
    id: Mapped[str] = mapped_column(String(36), primary_key=True, default=lambda: str(uuid.uuid4()))
    name: Mapped[str] = mapped_column(String(100))


class Crash(BaseException):
    """The process dying: nothing after it runs (a BaseException, as a kill is not an error to handle)."""


class Things:
    """A service as nameko builds it for one worker: ``db`` and ``ctx`` (the call's context data)."""
    name = "things"

    def __init__(self, db: Db, key: str | None):
        self.db = db.for_worker()
        self.ctx = {IDEMPOTENCY_KEY: key} if key else {}
        self.runs = 0
        self.pause = None  # an eventlet.Event the method waits on between its two transactions' blocks

    @endpoint(write=True)
    def create(self, name, fail_with=None):
        """Two session blocks, as real methods have (a check, then the writes); the id is stable."""
        self.runs += 1
        with self.db.session() as s:
            s.add(Attempt(name=name))
        if self.pause is not None:
            self.pause.wait()
        with self.db.session() as s:
            s.add(Thing(id=stable_id(self.ctx, "thing"), name=name))
        if fail_with is not None:
            raise fail_with
        return {"id": stable_id(self.ctx, "thing"), "name": name}


@pytest.fixture(params=["sqlite", "postgresql"])
def db(request, tmp_path):
    if request.param == "sqlite":
        engine = make_engine(f"sqlite:///{tmp_path}/things.db", shared=False)
    else:
        engine = make_engine(request.getfixturevalue("make_db")("things", migrate=False), shared=False)
    Base.metadata.create_all(engine)
    yield Db(engine, IdempotencyKey)
    engine.dispose()


def rows(db, model) -> list:
    with db.session() as s:
        return list(s.execute(select(model)).scalars())


def crash_when_storing_the_result(db):
    """The process dies as the call's result is written, after the method's writes (before the fix, they
    and the bare key were committed by then: a redelivery got 409 "its result is not available")."""
    def die(session, _flush_context, _instances):
        if any(isinstance(o, IdempotencyKey) and o.result is not None for o in session.new):
            event.remove(db._factory, "before_flush", die)
            raise Crash()
    event.listen(db._factory, "before_flush", die)


# -- the keys and ids a redelivery repeats -------------------------------------------------------------------

def test_derived_keys_and_ids_are_functions_of_the_key_and_of_what_they_are_for():
    assert derive_key("k", "a", 1) == derive_key("k", "a", 1)
    assert len({derive_key("k", "a", 1), derive_key("k", "a", 2), derive_key("k2", "a", 1),
                derive_key("k", "a1")}) == 4
    assert call_scope_key("k", "contracts", "create_customer") != call_scope_key("k", "contracts", "add_contact")
    ctx = {IDEMPOTENCY_KEY: "k"}
    assert stable_id(ctx, "customer") == stable_id(dict(ctx), "customer") == str(uuid.UUID(stable_id(ctx, "customer")))
    assert stable_id(ctx, "customer") != stable_id(ctx, "contact:0") != stable_id({IDEMPOTENCY_KEY: "k2"}, "contact:0")
    assert stable_id({}, "customer") != stable_id({}, "customer")  # no key: random, as before
    assert stable_id(None, "customer") != stable_id(None, "customer")


def test_nested_calls_are_numbered_per_method_so_a_redelivery_makes_the_same_calls():
    def keys_of_one_delivery():
        worker = SimpleNamespace(data={IDEMPOTENCY_KEY: "scope"})
        return [nested_call_key(worker, "perimeter", "inherit"), nested_call_key(worker, "perimeter", "inherit"),
                nested_call_key(worker, "identity", "invite_user")]
    first = keys_of_one_delivery()
    assert keys_of_one_delivery() == first and len(set(first)) == 3 and "scope" not in first
    assert nested_call_key(SimpleNamespace(data={}), "perimeter", "inherit") is None


def test_rpc_sends_each_nested_call_its_own_key_and_keeps_the_callers(monkeypatch):
    sent = []

    class FakeProxy:  # records the context data nameko would put in the message headers
        def __init__(self, worker_ctx, service, *_args, **_kwargs):
            self.worker_ctx, self.service = worker_ctx, service

        def __getattr__(self, method):
            def call_async(*args, **kwargs):
                sent.append((self.service, method, self.worker_ctx.data.get(IDEMPOTENCY_KEY)))
                return SimpleNamespace(result=lambda: {"ok": True})
            return SimpleNamespace(call_async=call_async)

    monkeypatch.setattr(rpcmod, "ServiceProxy", FakeProxy)
    worker = SimpleNamespace(data={IDEMPOTENCY_KEY: "scope"})
    perimeter = rpcmod._DeadlineServiceProxy(worker, "perimeter", None, 5.0, {})
    perimeter.inherit("actor", "customer", "c1")
    perimeter.inherit("actor", "customer", "c2")
    assert worker.data[IDEMPOTENCY_KEY] == "scope"
    assert sent == [("perimeter", "inherit", derive_key("scope", "call", "perimeter", "inherit", 1)),
                    ("perimeter", "inherit", derive_key("scope", "call", "perimeter", "inherit", 2))]
    rpcmod._DeadlineServiceProxy(SimpleNamespace(data={}), "perimeter", None, 5.0, {}).inherit("a", "b", "c")
    assert sent[-1][2] is None  # a call without key sends none


# -- one transaction: writes and stored result together ---------------------------------------------------

def test_a_crash_after_the_writes_and_before_the_commit_leaves_nothing_and_the_redelivery_succeeds(db):
    first = Things(db, "key-1")
    crash_when_storing_the_result(db)
    with pytest.raises(Crash):
        first.create("A")
    assert (rows(db, Thing), rows(db, Attempt), rows(db, IdempotencyKey)) == ([], [], [])

    redelivered = Things(db, "key-1")
    result = redelivered.create("A")  # before the fix: 409 "already processed; result not available"
    assert result == {"id": stable_id({IDEMPOTENCY_KEY: call_scope_key("key-1", "things", "create")}, "thing"),
                      "name": "A"}
    assert [t.id for t in rows(db, Thing)] == [result["id"]] and len(rows(db, Attempt)) == 1
    stored = rows(db, IdempotencyKey)
    assert [(k.key, k.method, k.result) for k in stored] == [("key-1", "create", {"value": result})]


def test_a_redelivery_after_the_commit_returns_the_stored_result_without_running_again(db):
    first = Things(db, "key-2")
    result = first.create("B")
    again = Things(db, "key-2")
    assert again.create("B") == result and again.runs == 0
    with pytest.raises(Conflict, match="different request"):
        Things(db, "key-2").create("another payload")
    assert len(rows(db, Thing)) == len(rows(db, Attempt)) == 1


def count_transactions(db, call) -> dict:
    """Database transactions (BEGIN, COMMIT), savepoints (one round trip each, and one more for its RELEASE)
    and pool checkouts made by ``call()``."""
    seen = {"begin": 0, "commit": 0, "savepoint": 0, "checkout": 0}

    def counter(name):
        def count(*_args):
            seen[name] += 1
        return count
    listeners = [(db.engine, "begin", counter("begin")), (db.engine, "commit", counter("commit")),
                 (db.engine, "savepoint", counter("savepoint")), (db.engine.pool, "checkout", counter("checkout"))]
    for target, name, fn in listeners:
        event.listen(target, name, fn)
    try:
        call()
    finally:
        for target, name, fn in listeners:
            event.remove(target, name, fn)
    return seen


def test_a_write_call_is_one_transaction_on_one_connection(db):
    # before: the look-up of a stored result in a transaction of its own, then one for the writes and the
    # result: 2 BEGIN, 2 COMMIT, 2 connections. A savepoint only where a block's failure must not undo the
    # work before it: none for the method's first block (only the look-up precedes it) nor for the result
    # (if it fails, so does the call), one for the method's second block (before: three)
    assert count_transactions(db, lambda: Things(db, "key-3").create("C")) == {"begin": 1, "commit": 1,
                                                                                "savepoint": 1, "checkout": 1}
    # its redelivery: the look-up alone
    assert count_transactions(db, lambda: Things(db, "key-3").create("C")) == {"begin": 1, "commit": 1,
                                                                                "savepoint": 0, "checkout": 1}


def test_a_deliberate_refusal_keeps_the_work_before_it_and_is_the_answer_to_a_redelivery(db):
    refusal = PreconditionFailed("a code was sent", {"code_status": "sent", "attempts_left": 2})
    with pytest.raises(PreconditionFailed):
        Things(db, "key-4").create("D", fail_with=refusal)
    assert len(rows(db, Thing)) == len(rows(db, Attempt)) == 1
    assert [(k.key, k.method) for k in rows(db, IdempotencyKey)] == [("key-4", "create")]

    redelivered = Things(db, "key-4")
    with pytest.raises(PreconditionFailed) as replayed:  # before: it ran again (a second code sent)
        redelivered.create("D", fail_with=refusal)
    assert redelivered.runs == 0 and len(rows(db, Attempt)) == 1
    assert (replayed.value.message, replayed.value.details) == ("a code was sent",
                                                               {"code_status": "sent", "attempts_left": 2})
    with pytest.raises(Conflict, match="different request"):
        Things(db, "key-4").create("another payload")


def test_a_refusal_that_cannot_be_stored_is_still_the_answer(db):
    def fail(session, _flush_context, _instances):
        if any(isinstance(o, IdempotencyKey) for o in session.new):
            event.remove(db._factory, "before_flush", fail)
            raise RuntimeError("the database refused the key row")
    event.listen(db._factory, "before_flush", fail)
    with pytest.raises(PreconditionFailed):  # not a 500
        Things(db, "key-7").create("H", fail_with=PreconditionFailed("a code was sent"))
    # the work rolled back with it (a concurrent delivery may have stored its own answer and work): a retry
    # runs the call again
    assert rows(db, Attempt) == [] and rows(db, IdempotencyKey) == []


def test_a_refused_payload_leaves_the_key_free_for_the_corrected_retry(db):
    """The gateway passes bodies to the services, whose schemas refuse them: a client that fixes its body
    and retries under the same key gets its object, not a 409 (the key was not used by a call that ran)."""
    with pytest.raises(InvalidInput) as refused:
        Things(db, "key-422").create("I", fail_with=ValidationError({"name": ["Too long."]}))
    assert refused.value.details == {"fields": {"name": ["Too long."]}}
    assert (rows(db, Thing), rows(db, Attempt), rows(db, IdempotencyKey)) == ([], [], [])
    assert Things(db, "key-422").create("I corrected")["name"] == "I corrected"


def test_a_429_keeps_the_work_before_it_and_leaves_the_key_free_for_the_retry_it_asks_for(db):
    with pytest.raises(TooManyRequests):
        Things(db, "key-429").create("G", fail_with=TooManyRequests("wait a minute"))
    assert len(rows(db, Attempt)) == 1 and rows(db, IdempotencyKey) == []


@pytest.mark.parametrize("failure", [Unavailable("perimeter is not running"), RuntimeError("a bug")])
def test_a_5xx_or_a_bug_rolls_everything_back_for_the_retry(db, failure):
    with pytest.raises(type(failure)):
        Things(db, "key-5").create("E", fail_with=failure)
    assert (rows(db, Thing), rows(db, Attempt), rows(db, IdempotencyKey)) == ([], [], [])
    assert Things(db, "key-5").create("E")["name"] == "E"


def a_block_that_fails(db):
    """A session block that writes, then raises inside the block."""
    with pytest.raises(ValueError):
        with db.session() as s:
            s.add(Attempt(name="undone"))
            s.flush()
            raise ValueError("refused inside the block")


def test_a_block_that_fails_is_undone_alone(db):
    things = Things(db, None)
    with things.db.one_transaction():
        with things.db.session() as s:
            s.add(Attempt(name="kept"))
        a_block_that_fails(things.db)
        with things.db.session() as s:
            assert [a.name for a in s.execute(select(Attempt)).scalars()] == ["kept"]
    assert [a.name for a in rows(db, Attempt)] == ["kept"]


def test_a_failed_first_block_after_the_look_up_is_undone_and_the_call_goes_on(db):
    """The method's first block has no savepoint (the look-up before it wrote nothing): its failure rolls back
    the whole transaction, which held nothing else, and the blocks after it still commit."""
    things = Things(db, None)
    with things.db.one_transaction():
        with things.db.session(reads_only=True) as s:
            assert s.execute(select(Attempt)).scalars().all() == []
        a_block_that_fails(things.db)
        with things.db.session() as s:
            s.add(Attempt(name="kept"))
    assert [a.name for a in rows(db, Attempt)] == ["kept"]


def test_two_deliveries_at_once_create_one_object_and_answer_the_same(db):
    first, second = Things(db, "key-6"), Things(db, "key-6")
    first.pause = eventlet.event.Event()
    running = eventlet.spawn(first.create, "F")
    eventlet.sleep(0.2)  # the first delivery wrote its attempt and waits before its second block
    late = eventlet.spawn(second.create, "F")
    eventlet.sleep(0.2)
    first.pause.send(True)
    assert running.wait() == late.wait()
    with db.session() as s:
        assert s.execute(select(func.count()).select_from(Thing)).scalar_one() == 1


def test_the_outbox_relay_wakes_when_the_call_commits_not_when_a_block_ends(db):
    from paraph_platform.outbox import Outbox
    relay = Outbox(model=None)  # only its wake-up is under test
    things = Things(db, None)
    with things.db.one_transaction():
        with things.db.session() as s:
            s.add(Attempt(name="first block"))
        with things.db.session() as s:
            relay.wake_after_commit(s)  # what outbox.add does
            s.add(Attempt(name="event written here"))
        # the block's savepoint is released, its rows are not visible: waking the relay now would leave
        # the event until its next poll
        assert not relay._wake.ready()
    assert relay._wake.ready()
