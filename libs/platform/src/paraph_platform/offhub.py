"""CPU work off the eventlet hub: ``offhub.run(fn, *args, **kwargs)`` runs ``fn`` in a worker process
and returns its result (or raises its exception) to the calling green thread, which waits on a pipe.

Why processes, not ``eventlet.tpool`` threads:

* ``eventlet.monkey_patch()`` turns the locks ``logging`` already holds (module lock, each handler's lock,
  ``threading``'s registry lock) into green locks; touched from an OS thread while anything else holds
  them, they raise ``greenlet.error: Cannot switch to a different thread`` or never wake their waiters.
  weasyprint, fontTools and pyHanko log freely (at INFO already), so two renders in ``tpool`` at once
  froze the whole service. A worker process has no eventlet and no green lock at all;
* every OS thread running Python competes with the hub for the GIL, and the hub gives it up at each
  syscall: during renders in threads, a plain read took 10 to 15 times longer. A worker process has
  its own GIL, and runs at a lower CPU priority (``OFFHUB_NICE``) than the service's requests.

The workers (``OFFHUB_PROCESSES`` per service, 2 by default) are plain ``python -m
paraph_platform.offhub_worker`` processes (spawned, never forked from an eventlet process), started on
first use and reused; calls beyond that wait on the hub for a free worker. A worker logs with the
service's levels and ships its records back: the service's handlers write them, on the hub. A worker
that dies (or whose caller is killed mid-call) is replaced; its call fails with :class:`OffHubFailure`.

Rules for ``fn``: a module-level function; plain, picklable data in and out (load what it needs before,
from the database or other services, on the hub; store its result after). :func:`preload` names modules
the workers import when they start (pyHanko, say) and :func:`start` starts the workers early.
"""
from __future__ import annotations

import json
import logging
import os
import sys

from eventlet.green import subprocess
from eventlet.queue import LightQueue

from .config import env_int
from .offhub_worker import CALL, CONFIG_ENV, ERROR, LOG, RESULT, OffHubFailure, encode_frame, read_frame

log = logging.getLogger(__name__)

_preload: list[str] = []


def preload(*modules: str) -> None:
    """Modules every worker imports when it starts (before its first call)."""
    _preload.extend(m for m in modules if m not in _preload)


def _worker_config() -> dict:
    """What a worker needs to import like the service and log like it (levels set so far included)."""
    levels = {name: logger.level for name, logger in logging.Logger.manager.loggerDict.items()
              if isinstance(logger, logging.Logger) and logger.level}
    return {"path": sys.path, "root_level": logging.getLogger().getEffectiveLevel(), "levels": levels,
            "preload": _preload, "nice": env_int("OFFHUB_NICE", 10)}


def _handle_worker_record(fields: dict) -> None:
    record = logging.makeLogRecord(fields)
    logger = logging.getLogger(None if record.name == "root" else record.name)
    if logger.isEnabledFor(record.levelno):
        logger.handle(record)


class _Worker:
    def __init__(self):
        self.proc = subprocess.Popen([sys.executable, "-m", "paraph_platform.offhub_worker"],
                                     stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                                     env={**os.environ, CONFIG_ENV: json.dumps(_worker_config())})

    def call(self, fn, args, kwargs) -> tuple[bytes, object]:
        """(RESULT, value) or (ERROR, exception); raises if the worker is lost (EOFError) or ``fn``'s call
        does not pickle (nothing was sent then)."""
        self.proc.stdin.write(encode_frame(CALL, (fn, args, kwargs)))
        self.proc.stdin.flush()
        while True:
            kind, payload = read_frame(self.proc.stdout)
            if kind == LOG:
                _handle_worker_record(payload)
            elif kind in (RESULT, ERROR):
                return kind, payload

    def stop(self):
        for pipe in (self.proc.stdin, self.proc.stdout):
            try:
                pipe.close()
            except OSError:
                pass
        if self.proc.poll() is None:
            self.proc.kill()
        try:
            self.proc.wait(timeout=5)
        except subprocess.TimeoutExpired:
            log.warning("off-hub worker %s did not exit after SIGKILL", self.proc.pid)


class _Pool:
    def __init__(self, size: int):
        self.size = size
        self.idle: LightQueue = LightQueue()
        self.started = 0

    def _take(self) -> _Worker:
        if self.idle.qsize() == 0 and self.started < self.size:
            self.started += 1
            try:
                return _Worker()
            except BaseException:
                self.started -= 1
                raise
        return self.idle.get()

    def _discard(self, worker: _Worker):
        worker.stop()
        self.started -= 1
        if self.idle.getting():  # callers wait for a worker: give them a fresh one
            self.started += 1
            self.idle.put(_Worker())

    def run(self, fn, args, kwargs):
        worker = self._take()
        try:
            kind, payload = worker.call(fn, args, kwargs)
        except (EOFError, BrokenPipeError):
            code = worker.proc.poll()
            self._discard(worker)
            raise OffHubFailure(f"the off-hub worker process died during {getattr(fn, '__name__', fn)} "
                                f"(exit code {code})") from None
        except Exception:  # the call did not pickle (nothing sent) or its answer did not unpickle (read whole)
            self.idle.put(worker)
            raise
        except BaseException:  # the caller was killed mid-call: the worker's answer would be out of step
            self._discard(worker)
            raise
        self.idle.put(worker)
        if kind == ERROR:
            raise payload
        return payload

    def start(self):
        while self.started < self.size:
            self.started += 1
            self.idle.put(_Worker())


_pool: _Pool | None = None


def _the_pool() -> _Pool:
    global _pool
    if _pool is None:
        _pool = _Pool(max(1, env_int("OFFHUB_PROCESSES", 2)))
    return _pool


def run(fn, *args, **kwargs):
    """Run CPU-bound ``fn(*args, **kwargs)`` in a worker process while the hub keeps serving; its log
    records reach this process's handlers. ``fn`` and its arguments and result must pickle."""
    return _the_pool().run(fn, args, kwargs)


def start() -> None:
    """Start the workers now (container start) rather than at the first call."""
    _the_pool().start()


__all__ = ["OffHubFailure", "preload", "run", "start"]
