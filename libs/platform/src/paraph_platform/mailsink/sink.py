"""Starting and stopping the mail sink (its SMTP and HTTP servers in background threads), in-process
or as ``python -m paraph_platform.mailsink``."""
from __future__ import annotations

import argparse
import logging
import signal
import sys
import threading
import time
from pathlib import Path

from .http_api import HttpServer
from .smtp import Faults, SmtpServer
from .store import Store

log = logging.getLogger(__name__)


class RunningSink:
    """A started sink. Unpacks as ``smtp_port, http_port, stop``."""

    def __init__(self, host, smtp_server, http_server, store: Store, faults: Faults, threads):
        self.host = host
        self._smtp = smtp_server
        self._http = http_server
        self.store = store
        self.faults = faults
        self._threads = threads
        self.smtp_port = smtp_server.server_address[1]
        self.http_port = http_server.server_address[1]
        self._stopped = False

    def __iter__(self):
        return iter((self.smtp_port, self.http_port, self.stop))

    @property
    def smtp_url(self) -> str:
        return f"smtp://{self.host}:{self.smtp_port}"

    @property
    def http_url(self) -> str:
        return f"http://{self.host}:{self.http_port}"

    @property
    def sms_url(self) -> str:
        return f"{self.http_url}/sms"

    def messages(self, to=None, message_id=None, subject=None) -> list[dict]:
        return self.store.messages(to=to, message_id=message_id, subject=subject)

    def sms(self, to=None, reference=None) -> list[dict]:
        return self.store.sms(to=to, reference=reference)

    def stats(self) -> dict:
        return self.store.stats()

    def clear(self):
        self.store.clear()
        self.faults.clear()

    def wait_for_messages(self, count: int = 1, timeout: float = 15.0, **filters) -> list[dict]:
        return _wait_for(self.store.messages, "message(s)", count, timeout, filters)

    def wait_for_sms(self, count: int = 1, timeout: float = 15.0, **filters) -> list[dict]:
        return _wait_for(self.store.sms, "SMS", count, timeout, filters)

    def stop(self):
        if self._stopped:
            return
        self._stopped = True
        for server in (self._smtp, self._http):
            try:
                server.shutdown()
                server.server_close()
            except Exception:  # noqa: BLE001
                pass


def _wait_for(fetch, what: str, count: int, timeout: float, filters: dict) -> list[dict]:
    """``fetch(**filters)`` once it returns ``count`` items or more; an AssertionError after ``timeout`` s."""
    deadline = time.time() + timeout
    while True:
        items = fetch(**filters)
        if len(items) >= count:
            return items
        if time.time() > deadline:
            raise AssertionError(f"mail sink: expected {count} {what} matching {filters}, got {len(items)}")
        time.sleep(0.05)


def start_sink(port: int = 0, http_port: int = 0, host: str = "127.0.0.1", directory: str | Path | None = None,
               dedupe: bool = True) -> RunningSink:
    """Start the SMTP and HTTP servers in background threads; port 0 picks free ports."""
    store = Store(directory, dedupe=dedupe)
    faults = Faults()
    smtp = SmtpServer((host, port), store, faults)
    try:
        web = HttpServer((host, http_port), store, faults)
    except OSError:
        smtp.server_close()
        raise
    threads = []
    for name, server in (("mailsink-smtp", smtp), ("mailsink-http", web)):
        t = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.2}, name=name, daemon=True)
        t.start()
        threads.append(t)
    return RunningSink(host, smtp, web, store, faults, threads)


def main(argv=None) -> int:
    from paraph_platform import mailsink  # its docstring's first line is the command's description
    parser = argparse.ArgumentParser(prog="python -m paraph_platform.mailsink",
                                     description=mailsink.__doc__.split("\n")[0])
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--smtp-port", type=int, default=1025)
    parser.add_argument("--http-port", type=int, default=8025)
    parser.add_argument("--dir", default=None, help="also write each message as .eml (and SMS as sms.jsonl) here")
    parser.add_argument("--no-dedupe", dest="dedupe", action="store_false",
                        help="store every copy of a message, even with a Message-ID already seen")
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s mailsink: %(message)s")
    try:
        sink = start_sink(args.smtp_port, args.http_port, args.host, args.dir, args.dedupe)
    except OSError as exc:
        print(f"error: mail sink cannot listen on {args.host}:{args.smtp_port}/{args.http_port}: {exc}", file=sys.stderr)
        return 2
    log.info("SMTP on %s:%d, messages at http://%s:%d/messages", args.host, sink.smtp_port, args.host, sink.http_port)
    stopping = threading.Event()
    signal.signal(signal.SIGINT, lambda *_: stopping.set())
    signal.signal(signal.SIGTERM, lambda *_: stopping.set())
    while not stopping.is_set():
        stopping.wait(0.5)
    sink.stop()
    return 0
