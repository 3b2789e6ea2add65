"""paraph_platform.offhub: CPU work in worker processes whose log records reach this process's real
handlers (on the hub, never from an OS thread), while the hub keeps scheduling green threads."""
import logging
import os
import time

import eventlet
import pytest

from paraph_platform import offhub
from paraph_platform.pdf_sandbox import FetchRefused

CALLS = 10
RECORDS_PER_CALL = 300
LOGGER = "paraph.test.offhub"


class CollectingHandler(logging.Handler):
    """Created after monkey-patching: its lock is green, as a service's handlers are."""

    def __init__(self):
        super().__init__(logging.DEBUG)
        self.records: list[logging.LogRecord] = []

    def emit(self, record):
        self.records.append(record)


@pytest.fixture
def debug_logger():
    logger = logging.getLogger(LOGGER)
    handler = CollectingHandler()
    logger.addHandler(handler)
    logger.setLevel(logging.DEBUG)
    logger.propagate = False
    try:
        yield logger, handler
    finally:
        logger.removeHandler(handler)


# functions run off the hub are module-level (they travel to the worker by reference)

def chatty_cpu_work(index: int) -> tuple[int, int]:
    """CPU work that logs at DEBUG in a loop, as weasyprint, fontTools and pyHanko do."""
    log = logging.getLogger(LOGGER)
    total = 0
    for i in range(RECORDS_PER_CALL):
        total += sum(range(20000))
        log.debug("call %s record %s", index, i)
    return index, os.getpid()


def divide(a, b):
    return a / b


def refuse(urls):
    raise FetchRefused(urls)


class Unpicklable(Exception):
    def __init__(self, a, b):
        super().__init__(f"{a}/{b}")


def raise_unpicklable():
    raise Unpicklable(1, 2)


def die():
    os._exit(3)


def log_below_level():
    logging.getLogger(LOGGER + ".quiet").info("not wanted")
    logging.getLogger(LOGGER + ".quiet").warning("wanted")


def test_ten_chatty_calls_at_once_log_through_the_hub_which_keeps_scheduling(debug_logger):
    logger, handler = debug_logger
    offhub.start()  # the workers' start-up (a Python process each) is not what is measured here
    offhub.run(divide, 1, 1)
    pauses = []
    done = []

    def ticker():  # a green thread of the hub that logs too (the handler's green lock, from the hub)
        last = time.monotonic()
        while not done:
            eventlet.sleep(0.005)
            now = time.monotonic()
            pauses.append(now - last)
            last = now
            logger.debug("tick")

    tick = eventlet.spawn(ticker)
    started = time.monotonic()
    calls = [eventlet.spawn(offhub.run, chatty_cpu_work, i) for i in range(CALLS)]
    results = [c.wait() for c in calls]  # a greenlet.error or a hang would surface here
    elapsed = time.monotonic() - started
    done.append(True)
    tick.wait()

    assert [index for index, _ in results] == list(range(CALLS))
    assert os.getpid() not in {pid for _, pid in results}
    worked = [r for r in handler.records if r.getMessage().startswith("call ")]
    assert len(worked) == CALLS * RECORDS_PER_CALL  # every record reached the real handler
    assert {r.process for r in worked} == {pid for _, pid in results}  # from the workers, as logged there
    for i in range(CALLS):  # in order within each call
        assert [r.getMessage() for r in worked if r.getMessage().startswith(f"call {i} ")] == \
            [f"call {i} record {n}" for n in range(RECORDS_PER_CALL)]
    max_pause = max(pauses)
    print(f"\n{CALLS} off-hub calls, {len(worked)} records in {elapsed:.2f}s; {len(pauses)} hub ticks, "
          f"max hub pause {max_pause * 1000:.0f} ms")
    assert len(pauses) > 10 and max_pause < 0.5


def test_results_and_exceptions_come_back_to_the_caller():
    assert offhub.run(sorted, [3, 1, 2], reverse=True) == [3, 2, 1]
    with pytest.raises(ZeroDivisionError):
        offhub.run(divide, 1, 0)
    with pytest.raises(FetchRefused) as refused:
        offhub.run(refuse, ["file:///etc/passwd", "http://127.0.0.1/"])
    assert refused.value.urls == ["file:///etc/passwd", "http://127.0.0.1/"]
    with pytest.raises(offhub.OffHubFailure, match="Unpicklable: 1/2"):
        offhub.run(raise_unpicklable)


def test_a_call_that_does_not_pickle_is_refused_and_the_worker_stays_usable():
    with pytest.raises(Exception):  # noqa: B017 - pickle's own error (a lambda has no importable name)
        offhub.run(lambda: 1)
    assert offhub.run(divide, 6, 3) == 2


def test_a_dead_worker_fails_its_call_and_is_replaced():
    for _ in range(3):  # more than the pool's workers
        with pytest.raises(offhub.OffHubFailure, match="died during die"):
            offhub.run(die)
    assert offhub.run(divide, 1, 4) == 0.25


def test_the_workers_log_at_the_service_levels(debug_logger):
    logger, handler = debug_logger
    logging.getLogger(LOGGER + ".quiet").setLevel(logging.WARNING)
    offhub.run(log_below_level)
    assert [r.getMessage() for r in handler.records] == ["wanted"]
