"""Loopback servers that receive what the code under test sends out: the ``mail_sink`` and ``module_mail_sink``
fixtures (SMTP and SMS, :mod:`paraph_platform.mailsink`), ``http_trap`` (SSRF tests) and ``webhook_receiver`` (an
integrator's endpoint, :class:`WebhookReceiver`)."""
from __future__ import annotations

import http.server
import json
import threading
import time

import pytest


def _running_mail_sink():
    """A running :class:`paraph_platform.mailsink.RunningSink` on free ports, stopped afterwards."""
    from ..mailsink import start_sink
    sink = start_sink(port=0, http_port=0)
    try:
        yield sink
    finally:
        sink.stop()


mail_sink = pytest.fixture(_running_mail_sink, name="mail_sink")
# the same, for a module's system of services (module_system) that sends to it
module_mail_sink = pytest.fixture(_running_mail_sink, scope="module", name="module_mail_sink")


@pytest.fixture
def http_trap():
    """A loopback HTTP server for SSRF tests: it records every request path (``http_trap.hits``) and answers
    302 to ``file:///etc/passwd``; the defended code must never contact it (``http_trap.url``)."""
    import http.server
    import threading
    from types import SimpleNamespace

    trap = SimpleNamespace(hits=[], url="")

    class Handler(http.server.BaseHTTPRequestHandler):
        def do_GET(self):  # noqa: N802 - http.server's naming
            trap.hits.append(self.path)
            self.send_response(302)
            self.send_header("Location", "file:///etc/passwd")
            self.end_headers()

        def log_message(self, *args):
            pass

    server = http.server.HTTPServer(("127.0.0.1", 0), Handler)
    trap.url = f"http://127.0.0.1:{server.server_port}"
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        yield trap
    finally:
        server.shutdown()
        server.server_close()


class WebhookReceiver:
    """An integrator's webhook endpoint on 127.0.0.1, real HTTP: records every POST (path, headers, raw body,
    the status it answered, when) and answers from a script of status codes (``statuses``, then ``default``)."""

    def __init__(self):
        self.requests: list[dict] = []
        self.statuses: list[int] = []   # consumed first; then `default`
        self.default = 200
        self.lock = threading.Lock()
        receiver = self

        class Handler(http.server.BaseHTTPRequestHandler):
            def log_message(self, *a):
                pass

            def do_POST(self):  # noqa: N802
                body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
                with receiver.lock:
                    status = receiver.statuses.pop(0) if receiver.statuses else receiver.default
                    receiver.requests.append({"path": self.path, "headers": {k: v for k, v in self.headers.items()},
                                              "body": body, "status": status, "at": time.time()})
                payload = json.dumps({"ok": status < 300}).encode()
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(payload)))
                self.end_headers()
                self.wfile.write(payload)

        self.server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/hooks/paraph"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def of_type(self, event_type):
        return [r for r in self.requests if r["headers"].get("Paraph-Event-Type") == event_type]

    def wait(self, predicate, timeout=20.0, message="webhook requests"):
        deadline = time.time() + timeout
        while True:
            with self.lock:
                snapshot = list(self.requests)
            if predicate(snapshot):
                return snapshot
            if time.time() > deadline:
                raise AssertionError(f"timed out waiting for {message}: {[(r['path'], r['status']) for r in snapshot]}")
            time.sleep(0.05)

    def stop(self):
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture
def webhook_receiver():
    """A running :class:`WebhookReceiver` (``.url``), stopped afterwards."""
    receiver = WebhookReceiver()
    yield receiver
    receiver.stop()
