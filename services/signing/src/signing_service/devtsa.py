"""A development RFC 3161 time-stamping authority over HTTP, to exercise ``TSA_URL`` locally.

``python -m signing_service.devtsa [--host 127.0.0.1] [--port 3161] [--dir var/devtsa]`` answers
``POST /`` (``application/timestamp-query``) with a ``application/timestamp-reply`` signed by a
development TSA certificate (generated once under ``--dir``, issued by its own development CA, whose
PEM is written next to it: give it to the signing service as ``SIGNING_TRUST_ROOTS_PEM`` so that
verification reports the timestamp as trusted). Not for production: use a real TSA there.

In-process (tests): ``start_tsa()`` returns a running server with ``.url``, ``.ca_pem`` and ``stop()``;
``fail=True`` makes it answer 503 (to test a TSA outage).
"""
from __future__ import annotations

import argparse
import logging
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

log = logging.getLogger(__name__)
MAX_REQUEST = 64 * 1024


class DevTsa:
    def __init__(self, creds: dict[str, bytes]):
        from pyhanko.sign.timestamps import DummyTimeStamper

        from . import crypto
        self.creds = creds
        self.stamper = DummyTimeStamper(tsa_cert=crypto._certs_from_pem(creds["tsa.pem"])[0],
                                        tsa_key=crypto._key_from_pem(creds["tsa.key.pem"], None))
        self.fail = False
        self.requests = 0

    def reply(self, body: bytes) -> bytes:
        from asn1crypto import tsp
        return self.stamper.request_tsa_response(tsp.TimeStampReq.load(body)).dump()


def _handler(tsa: DevTsa):
    class Handler(BaseHTTPRequestHandler):
        def do_POST(self):  # noqa: N802 - http.server API
            tsa.requests += 1
            length = int(self.headers.get("Content-Length") or 0)
            if tsa.fail:
                self.send_error(503, "development TSA told to fail")
                return
            if length <= 0 or length > MAX_REQUEST:
                self.send_error(400, "bad timestamp request")
                return
            try:
                reply = tsa.reply(self.rfile.read(length))
            except Exception:  # noqa: BLE001 - a malformed request
                self.send_error(400, "bad timestamp request")
                return
            self.send_response(200)
            self.send_header("Content-Type", "application/timestamp-reply")
            self.send_header("Content-Length", str(len(reply)))
            self.end_headers()
            self.wfile.write(reply)

        def log_message(self, fmt, *args):
            log.debug("devtsa: " + fmt, *args)

    return Handler


class RunningTsa:
    def __init__(self, server: ThreadingHTTPServer, tsa: DevTsa):
        self.server = server
        self.tsa = tsa
        host, port = server.server_address[:2]
        self.url = f"http://{host}:{port}/"
        self.ca_pem = tsa.creds["ca.pem"].decode()

    @property
    def fail(self) -> bool:
        return self.tsa.fail

    @fail.setter
    def fail(self, value: bool):
        self.tsa.fail = value

    @property
    def requests(self) -> int:
        return self.tsa.requests

    def stop(self):
        self.server.shutdown()
        self.server.server_close()


def start_tsa(host: str = "127.0.0.1", port: int = 0, creds: dict | None = None) -> RunningTsa:
    from . import crypto
    tsa = DevTsa(creds or crypto.generate_dev_credentials())
    server = ThreadingHTTPServer((host, port), _handler(tsa))
    server.daemon_threads = True
    threading.Thread(target=server.serve_forever, name="devtsa", daemon=True).start()
    return RunningTsa(server, tsa)


def _load_or_create(directory: Path) -> dict[str, bytes]:
    from . import crypto
    directory.mkdir(parents=True, exist_ok=True)
    files = {name: directory / name for name in crypto.DEV_NAMES}
    if not all(p.exists() for p in files.values()):
        for name, value in crypto.generate_dev_credentials().items():
            (directory / name).write_bytes(value)
    return {name: p.read_bytes() for name, p in files.items()}


def main(argv=None):
    parser = argparse.ArgumentParser(prog="python -m signing_service.devtsa", description=__doc__.split("\n")[0])
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=3161)
    parser.add_argument("--dir", default="var/devtsa", help="where the development TSA keeps its key and CA")
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.INFO)
    creds = _load_or_create(Path(args.dir))
    running = start_tsa(args.host, args.port, creds)
    print(f"development TSA on {running.url} (CA: {Path(args.dir) / 'ca.pem'}); Ctrl-C stops", flush=True)
    try:
        threading.Event().wait()
    except KeyboardInterrupt:
        running.stop()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
