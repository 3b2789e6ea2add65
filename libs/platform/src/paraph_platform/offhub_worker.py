"""The worker process behind :mod:`paraph_platform.offhub`: ``python -m paraph_platform.offhub_worker``.

A plain Python process (no eventlet): it reads calls ``(fn, args, kwargs)`` from stdin and answers on
its original stdout, one call at a time, in frames (kind, length, pickle). Log records of the call
travel back in ``LOG`` frames before its answer, so the service's own handlers write them, on its hub.
Its configuration (parent's ``sys.path``, log levels, modules to import first, niceness) comes in the
``PARAPH_OFFHUB_WORKER`` environment variable (JSON). It exits when stdin closes (the service is gone).
"""
from __future__ import annotations

import importlib
import json
import logging
import os
import pickle
import struct
import sys
import threading
import traceback

CONFIG_ENV = "PARAPH_OFFHUB_WORKER"
HEADER = struct.Struct("!cI")  # frame kind, payload length
CALL, RESULT, ERROR, LOG = b"c", b"r", b"e", b"l"
_PLAIN = (str, int, float, bool, type(None))


class OffHubFailure(RuntimeError):
    """The off-hub call could not complete as a normal result or exception: the worker died, or its
    exception could not be sent back (then this error carries its type, message and traceback)."""


def _read_exact(stream, size: int) -> bytes:
    chunks, remaining = [], size
    while remaining:
        chunk = stream.read(remaining)
        if not chunk:
            raise EOFError("the other end of the off-hub pipe closed")
        chunks.append(chunk)
        remaining -= len(chunk)
    return b"".join(chunks)


def read_frame(stream) -> tuple[bytes, object]:
    kind, size = HEADER.unpack(_read_exact(stream, HEADER.size))
    return kind, pickle.loads(_read_exact(stream, size))


def encode_frame(kind: bytes, payload) -> bytes:
    """A whole frame (pickled before anything is written: a payload that does not pickle sends nothing)."""
    data = pickle.dumps(payload, protocol=pickle.HIGHEST_PROTOCOL)
    return HEADER.pack(kind, len(data)) + data


class _Channel:
    """The worker's answers; a lock keeps a record logged by a library's own thread from splitting a frame."""

    def __init__(self, stream):
        self.stream = stream
        self.lock = threading.Lock()

    def send(self, kind: bytes, payload) -> None:
        frame = encode_frame(kind, payload)
        with self.lock:
            self.stream.write(frame)
            self.stream.flush()


class _ToParent(logging.Handler):
    """Ships each record to the service: message formatted here (its args may not pickle), exception as text."""

    def __init__(self, channel: _Channel):
        super().__init__()
        self.channel = channel

    def emit(self, record):
        fields = dict(record.__dict__, msg=record.getMessage(), args=None, exc_info=None)
        fields.pop("message", None)
        if record.exc_info and not record.exc_text:
            fields["exc_text"] = logging.Formatter().formatException(record.exc_info)
        try:
            self.channel.send(LOG, fields)
        except Exception:  # noqa: BLE001 - an `extra` value that does not pickle: sent as its repr
            self.channel.send(LOG, {k: v if isinstance(v, _PLAIN) else repr(v) for k, v in fields.items()})


def _error_payload(exc: BaseException) -> BaseException:
    """``exc`` with its traceback as a note, or an :class:`OffHubFailure` describing it if it does not
    survive pickling (an exception class whose ``__init__`` does not take its ``args``, say)."""
    text = "".join(traceback.format_exception(exc))
    try:
        exc.add_note(f"(raised in the off-hub worker process {os.getpid()})")
        pickle.loads(pickle.dumps(exc, protocol=pickle.HIGHEST_PROTOCOL))
        return exc
    except Exception:  # noqa: BLE001 - anything that fails to round-trip is described instead
        return OffHubFailure(f"{type(exc).__name__}: {exc}\n{text}")


def main() -> int:
    answers = os.fdopen(os.dup(1), "wb")
    os.dup2(2, 1)  # a library's print() goes to the service's stderr, never into the answers
    channel = _Channel(answers)
    config = json.loads(os.environ.get(CONFIG_ENV) or "{}")
    sys.path[:] = config.get("path", sys.path)
    if config.get("nice"):
        os.nice(config["nice"])
    root = logging.getLogger()
    root.handlers[:] = [_ToParent(channel)]
    root.setLevel(config.get("root_level", logging.WARNING))
    for name, level in config.get("levels", {}).items():
        logging.getLogger(name).setLevel(level)
    for module in config.get("preload", ()):
        importlib.import_module(module)
    calls = sys.stdin.buffer
    while True:
        try:
            _, (fn, args, kwargs) = read_frame(calls)
        except EOFError:
            return 0
        try:
            channel.send(RESULT, fn(*args, **kwargs))
        except BaseException as exc:  # noqa: BLE001 - every outcome goes back to the caller
            channel.send(ERROR, _error_payload(exc))


if __name__ == "__main__":
    # run from the imported module, so OffHubFailure pickles as paraph_platform.offhub_worker's, not __main__'s
    from paraph_platform.offhub_worker import main as imported_main
    sys.exit(imported_main())
