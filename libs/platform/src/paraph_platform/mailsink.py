"""A local mail (and SMS) sink for development and tests: SMTP in, HTTP JSON out.

``python -m paraph_platform.mailsink --smtp-port 1025 --http-port 8025 [--host 127.0.0.1] [--dir var/mail]``
(``./paraph up`` runs it), or in-process with :func:`start_sink` (the ``mail_sink`` pytest fixture).

Standard library only (``socketserver`` + ``http.server``), so it behaves the same with and without
eventlet monkey patching: under eventlet its threads are green threads.

SMTP
    ESMTP without TLS: EHLO/HELO, AUTH PLAIN/LOGIN (any credentials), MAIL, RCPT, DATA, RSET, NOOP,
    VRFY, QUIT. A message is stored when its DATA terminator (``<CRLF>.<CRLF>``) arrives, *before*
    the ``250`` reply is written, like a real MTA that commits and then answers: a client that dies
    while waiting for that reply has delivered its message. A transaction whose terminator never
    arrives (the client disconnected) is discarded and counted as ``aborted``.

Deduplication by Message-ID
    A message whose ``Message-ID`` is already stored is acknowledged (``250``) but not stored again;
    the stored copy's ``duplicates`` counter goes up instead (a mailbox that drops duplicates, as most
    mail clients and Gmail do). ``--no-dedupe`` keeps every copy. Senders that give a message the
    same Message-ID on every attempt (Paraph's notify service does) are thus shown exactly once.

HTTP API (JSON)
    ``GET /messages[?to=&message_id=&subject=]``  ``{"items": [...], "count": n}`` (oldest first)
    ``GET /messages/<id>`` one message, ``GET /messages/<id>/raw`` the RFC 5322 source
    ``DELETE /messages``                           forget every message (and SMS)
    ``POST /sms`` ``{"to", "text", "from"?, "reference"?}`` (+ ``Idempotency-Key``) -> ``{"id"}``
    ``GET /sms[?to=]``, ``DELETE /sms``            the fake SMS provider's outbox
    ``GET /stats``                                 accepted / duplicates / aborted / sms counters
    ``POST /faults`` ``{"stage", "delay", "reply", "rcpt", "times"}``, ``DELETE /faults``
    ``GET /``                                      a small HTML page listing the messages

Each message: ``id, received_at, mail_from, rcpt_to, message_id, subject, from, to, cc, date, headers,
text, html, links, attachments[{filename, content_type, size, sha256, content_b64}], duplicates, size``.

Fault injection (tests): ``sink.faults.add(stage=..., delay=seconds, reply="451 ...", rcpt="substring",
times=n)``; stages ``connect`` (before the greeting), ``mail``, ``rcpt``, ``data`` (reply to the DATA
command) and ``data_end`` (after the terminator: with a 2xx or no ``reply`` the message is stored
first, then the reply is delayed; with a 4xx/5xx ``reply`` it is refused and not stored).
"""
from __future__ import annotations

import argparse
import base64
import hashlib
import html
import json
import logging
import re
import signal
import socketserver
import sys
import threading
import time
import uuid
from datetime import datetime, timezone
from email import policy
from email.parser import BytesParser
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import parse_qs, urlparse

log = logging.getLogger(__name__)

MAX_MESSAGE_BYTES = 50 * 1024 * 1024
MAX_LINE = 8192
MAX_DATA_LINE = 1024 * 1024
LINK_RE = re.compile(r"https?://[^\s<>\"')\]]+")
STAGES = ("connect", "mail", "rcpt", "data", "data_end")


def _now_iso() -> str:
    return datetime.now(timezone.utc).isoformat().replace("+00:00", "Z")


def _addr(arg: str) -> str:
    """``FROM:<a@b> SIZE=1`` / ``TO:<a@b>`` -> ``a@b``."""
    _, _, rest = arg.partition(":")
    rest = rest.strip()
    if rest.startswith("<"):
        end = rest.find(">")
        return rest[1:end if end > 0 else None].strip()
    return rest.split(" ", 1)[0].strip()


def parse_message(raw: bytes) -> dict:
    """The parts of an RFC 5322 message tests and developers care about."""
    msg = BytesParser(policy=policy.default).parsebytes(raw)
    text = html_body = None
    attachments = []
    for part in msg.walk():
        if part.is_multipart():
            continue
        disposition = part.get_content_disposition()
        ctype = part.get_content_type()
        if disposition == "attachment" or (disposition == "inline" and part.get_filename()):
            payload = part.get_payload(decode=True) or b""
            attachments.append({"filename": part.get_filename(), "content_type": ctype, "size": len(payload),
                                "sha256": hashlib.sha256(payload).hexdigest(),
                                "content_b64": base64.b64encode(payload).decode()})
        elif ctype == "text/plain" and text is None:
            text = part.get_content()
        elif ctype == "text/html" and html_body is None:
            html_body = part.get_content()
    links = []
    for body in (text or "", html.unescape(html_body or "")):
        for link in LINK_RE.findall(body):
            link = link.rstrip(".,;")
            if link not in links:
                links.append(link)
    return {
        "message_id": (msg.get("Message-ID") or "").strip() or None,
        "subject": str(msg.get("Subject") or ""),
        "from": str(msg.get("From") or ""),
        "to": str(msg.get("To") or ""),
        "cc": str(msg.get("Cc") or ""),
        "date": str(msg.get("Date") or ""),
        "headers": [[k, str(v)] for k, v in msg.items()],
        "text": text, "html": html_body, "links": links, "attachments": attachments,
    }


class Store:
    """Messages and SMS kept in memory (and written to ``directory`` when given)."""

    def __init__(self, directory: str | Path | None = None, dedupe: bool = True):
        self.directory = Path(directory) if directory else None
        if self.directory:
            self.directory.mkdir(parents=True, exist_ok=True)
        self.dedupe = dedupe
        self._lock = threading.Lock()
        self._messages: list[dict] = []
        self._raw: dict[str, bytes] = {}
        self._sms: list[dict] = []
        self.counters = {"accepted": 0, "duplicates": 0, "aborted": 0, "rejected": 0, "sms": 0, "sms_duplicates": 0}

    # -- mail --------------------------------------------------------------------------------
    def add_message(self, mail_from: str, rcpt_to: list[str], raw: bytes) -> dict:
        try:
            parsed = parse_message(raw)
        except Exception as exc:  # noqa: BLE001 - keep what we can of a malformed message
            parsed = {"message_id": None, "subject": "", "from": "", "to": "", "cc": "", "date": "",
                      "headers": [], "text": raw.decode("utf-8", "replace"), "html": None, "links": [],
                      "attachments": [], "parse_error": str(exc)}
        with self._lock:
            mid = parsed["message_id"]
            if self.dedupe and mid:
                for existing in self._messages:
                    if existing["message_id"] == mid:
                        existing["duplicates"] += 1
                        self.counters["duplicates"] += 1
                        return existing
            item = {"id": uuid.uuid4().hex, "received_at": _now_iso(), "mail_from": mail_from,
                    "rcpt_to": list(rcpt_to), "size": len(raw), "duplicates": 0, **parsed}
            self._messages.append(item)
            self._raw[item["id"]] = raw
            self.counters["accepted"] += 1
            seq = self.counters["accepted"]
        if self.directory:
            try:
                (self.directory / f"{seq:06d}-{item['id']}.eml").write_bytes(raw)
            except OSError as exc:
                log.warning("mail sink: could not write %s: %s", self.directory, exc)
        return item

    def count(self, key: str):
        with self._lock:
            self.counters[key] += 1

    @staticmethod
    def _matches(item: dict, to=None, message_id=None, subject=None) -> bool:
        if to:
            wanted = to.strip().lower()
            rcpts = [r.lower() for r in item.get("rcpt_to", [])]
            if wanted not in rcpts and wanted not in (item.get("to") or "").lower():
                return False
        if message_id:
            mid = message_id.strip()
            if not mid.startswith("<"):
                mid = f"<{mid}>"
            if (item.get("message_id") or "") != mid:
                return False
        if subject and subject.lower() not in (item.get("subject") or "").lower():
            return False
        return True

    def messages(self, to=None, message_id=None, subject=None) -> list[dict]:
        with self._lock:
            return [dict(m) for m in self._messages if self._matches(m, to, message_id, subject)]

    def message(self, message_id: str) -> dict | None:
        with self._lock:
            return next((dict(m) for m in self._messages if m["id"] == message_id), None)

    def raw(self, message_id: str) -> bytes | None:
        with self._lock:
            return self._raw.get(message_id)

    def clear(self):
        with self._lock:
            self._messages.clear()
            self._raw.clear()
            self._sms.clear()
            for key in self.counters:
                self.counters[key] = 0

    # -- sms ---------------------------------------------------------------------------------
    def add_sms(self, to: str, text: str, sender: str | None = None, reference: str | None = None) -> dict:
        with self._lock:
            if reference:
                for existing in self._sms:
                    if existing["reference"] == reference:
                        existing["duplicates"] += 1
                        self.counters["sms_duplicates"] += 1
                        return existing
            item = {"id": "sms_" + uuid.uuid4().hex, "received_at": _now_iso(), "to": to, "text": text,
                    "from": sender, "reference": reference, "duplicates": 0,
                    "links": [l.rstrip(".,;") for l in LINK_RE.findall(text or "")]}
            self._sms.append(item)
            self.counters["sms"] += 1
        if self.directory:
            try:
                with (self.directory / "sms.jsonl").open("a", encoding="utf-8") as fh:
                    fh.write(json.dumps(item, ensure_ascii=False) + "\n")
            except OSError as exc:
                log.warning("mail sink: could not write sms log: %s", exc)
        return item

    def sms(self, to=None, reference=None) -> list[dict]:
        with self._lock:
            return [dict(s) for s in self._sms
                    if (not to or s["to"] == to) and (not reference or s["reference"] == reference)]

    def clear_sms(self):
        with self._lock:
            self._sms.clear()

    def stats(self) -> dict:
        with self._lock:
            return {**self.counters, "stored": len(self._messages), "stored_sms": len(self._sms)}


class Faults:
    """Injected SMTP misbehaviour: delays and replies per stage (optionally per recipient)."""

    def __init__(self):
        self._lock = threading.Lock()
        self._rules: list[dict] = []

    def add(self, stage: str, delay: float = 0.0, reply: str | None = None, rcpt: str | None = None,
            times: int | None = None) -> dict:
        if stage not in STAGES:
            raise ValueError(f"stage must be one of {', '.join(STAGES)}")
        if reply is not None and not re.match(r"^[2-5]\d\d[ -]", reply + " "):
            raise ValueError("reply must start with an SMTP code, e.g. '451 4.3.0 try later'")
        rule = {"stage": stage, "delay": float(delay), "reply": reply, "rcpt": rcpt, "times": times, "hits": 0}
        with self._lock:
            self._rules.append(rule)
        return rule

    def clear(self):
        with self._lock:
            self._rules.clear()

    def rules(self) -> list[dict]:
        with self._lock:
            return [dict(r) for r in self._rules]

    def take(self, stage: str, rcpts: list[str]) -> tuple[float, str | None]:
        with self._lock:
            for rule in self._rules:
                if rule["stage"] != stage:
                    continue
                if rule["rcpt"] and not any(rule["rcpt"].lower() in r.lower() for r in rcpts):
                    continue
                if rule["times"] is not None and rule["hits"] >= rule["times"]:
                    continue
                rule["hits"] += 1
                return rule["delay"], rule["reply"]
        return 0.0, None


class _SmtpHandler(socketserver.StreamRequestHandler):
    timeout = 300

    def setup(self):
        super().setup()
        self.store: Store = self.server.store
        self.faults: Faults = self.server.faults
        self.reset()

    def reset(self):
        self.mail_from = None
        self.rcpt_to: list[str] = []

    def reply(self, line: str):
        self.wfile.write(line.encode() + b"\r\n")
        self.wfile.flush()

    def fault(self, stage: str, default: str) -> str:
        delay, reply = self.faults.take(stage, self.rcpt_to)
        if delay:
            time.sleep(delay)
        return reply or default

    def handle(self):
        try:
            greeting = self.fault("connect", "220 paraph-mailsink ESMTP ready")
            self.reply(greeting)
            if not greeting.startswith("2"):
                return
            while True:
                line = self.rfile.readline(MAX_LINE)
                if not line:
                    if self.mail_from is not None:
                        self.store.count("aborted")
                    return
                text = line.decode("utf-8", "replace").rstrip("\r\n")
                verb, _, arg = text.partition(" ")
                verb = verb.upper()
                if not self.command(verb, arg):
                    return
        except (ConnectionError, TimeoutError, OSError):
            if self.mail_from is not None:
                self.store.count("aborted")

    def command(self, verb: str, arg: str) -> bool:
        if verb == "EHLO":
            self.reset()
            self.wfile.write(("250-paraph-mailsink\r\n250-8BITMIME\r\n250-SMTPUTF8\r\n"
                              f"250-SIZE {MAX_MESSAGE_BYTES}\r\n250-AUTH PLAIN LOGIN\r\n250 HELP\r\n").encode())
            self.wfile.flush()
        elif verb == "HELO":
            self.reset()
            self.reply("250 paraph-mailsink")
        elif verb == "AUTH":
            return self.auth(arg)
        elif verb == "MAIL":
            self.reset()
            answer = self.fault("mail", "250 2.1.0 OK")
            if answer.startswith("2"):
                self.mail_from = _addr(arg)
            self.reply(answer)
        elif verb == "RCPT":
            if self.mail_from is None:
                self.reply("503 5.5.1 MAIL first")
                return True
            address = _addr(arg)
            delay, reply = self.faults.take("rcpt", [address])
            if delay:
                time.sleep(delay)
            answer = reply or "250 2.1.5 OK"
            if answer.startswith("2"):
                self.rcpt_to.append(address)
            self.reply(answer)
        elif verb == "DATA":
            if self.mail_from is None or not self.rcpt_to:
                self.reply("503 5.5.1 MAIL and RCPT first")
                return True
            answer = self.fault("data", "354 End data with <CR><LF>.<CR><LF>")
            self.reply(answer)
            if not answer.startswith("3"):
                return True
            return self.data()
        elif verb == "RSET":
            self.reset()
            self.reply("250 2.0.0 OK")
        elif verb == "NOOP":
            self.reply("250 2.0.0 OK")
        elif verb == "VRFY":
            self.reply("252 2.1.5 Cannot verify, but will accept")
        elif verb == "STARTTLS":
            self.reply("454 4.7.0 TLS not available")
        elif verb == "QUIT":
            self.reply("221 2.0.0 Bye")
            return False
        else:
            self.reply("502 5.5.2 Command not recognized")
        return True

    def auth(self, arg: str) -> bool:
        mechanism, _, initial = arg.partition(" ")
        mechanism = mechanism.upper()
        if mechanism == "PLAIN":
            if not initial:
                self.reply("334 ")
                if not self.rfile.readline(MAX_LINE):
                    return False
        elif mechanism == "LOGIN":
            if not initial:
                self.reply("334 VXNlcm5hbWU6")
                if not self.rfile.readline(MAX_LINE):
                    return False
            self.reply("334 UGFzc3dvcmQ6")
            if not self.rfile.readline(MAX_LINE):
                return False
        else:
            self.reply("504 5.5.4 Unrecognized authentication type")
            return True
        self.reply("235 2.7.0 Authentication successful")
        return True

    def data(self) -> bool:
        chunks: list[bytes] = []
        size = 0
        too_big = False
        while True:
            line = self.rfile.readline(MAX_DATA_LINE)
            if not line:
                self.store.count("aborted")
                self.reset()
                return False
            if line in (b".\r\n", b".\n"):
                break
            if line.startswith(b".."):
                line = line[1:]
            size += len(line)
            if size > MAX_MESSAGE_BYTES:
                too_big = True
                continue
            chunks.append(line)
        if too_big:
            self.store.count("rejected")
            self.reply("552 5.3.4 Message too big")
            self.reset()
            return True
        delay, reply = self.faults.take("data_end", self.rcpt_to)
        if reply and not reply.startswith("2"):
            if delay:
                time.sleep(delay)
            self.store.count("rejected")
            self.reply(reply)
            self.reset()
            return True
        # commit first, then answer: a sender that never sees the reply has still delivered
        self.store.add_message(self.mail_from, self.rcpt_to, b"".join(chunks))
        if delay:
            time.sleep(delay)
        self.reply(reply or "250 2.0.0 OK: queued")
        self.reset()
        return True


class _SmtpServer(socketserver.ThreadingMixIn, socketserver.TCPServer):
    daemon_threads = True
    allow_reuse_address = True
    block_on_close = False

    def __init__(self, address, store: Store, faults: Faults):
        self.store = store
        self.faults = faults
        super().__init__(address, _SmtpHandler)


class _HttpHandler(BaseHTTPRequestHandler):
    server_version = "paraph-mailsink/1.0"
    protocol_version = "HTTP/1.1"

    def log_message(self, fmt, *args):  # quiet
        log.debug("mail sink http: " + fmt, *args)

    @property
    def store(self) -> Store:
        return self.server.store

    def _send(self, status: int, body, content_type: str = "application/json"):
        if isinstance(body, (dict, list)):
            data = json.dumps(body, ensure_ascii=False).encode()
        elif isinstance(body, str):
            data = body.encode()
        else:
            data = body
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(data)))
        self.send_header("Cache-Control", "no-store")
        self.end_headers()
        self.wfile.write(data)

    def _body(self) -> dict | None:
        length = int(self.headers.get("Content-Length") or 0)
        if length > 1024 * 1024:
            return None
        raw = self.rfile.read(length) if length else b""
        try:
            data = json.loads(raw or b"{}")
        except ValueError:
            return None
        return data if isinstance(data, dict) else None

    def _route(self):
        parsed = urlparse(self.path)
        query = {k: v[-1] for k, v in parse_qs(parsed.query).items()}
        parts = [p for p in parsed.path.split("/") if p]
        return parts, query

    def do_GET(self):  # noqa: N802
        parts, q = self._route()
        if parts == ["messages"]:
            items = self.store.messages(to=q.get("to"), message_id=q.get("message_id"), subject=q.get("subject"))
            return self._send(200, {"items": items, "count": len(items)})
        if len(parts) == 2 and parts[0] == "messages":
            item = self.store.message(parts[1])
            return self._send(200, item) if item else self._send(404, {"error": "no such message"})
        if len(parts) == 3 and parts[0] == "messages" and parts[2] == "raw":
            raw = self.store.raw(parts[1])
            return self._send(200, raw, "message/rfc822") if raw is not None else self._send(404, {"error": "no such message"})
        if parts == ["sms"]:
            items = self.store.sms(to=q.get("to"), reference=q.get("reference"))
            return self._send(200, {"items": items, "count": len(items)})
        if parts == ["stats"]:
            return self._send(200, self.store.stats())
        if parts == ["faults"]:
            return self._send(200, {"items": self.server.faults.rules()})
        if parts == ["health"]:
            return self._send(200, {"status": "ok"})
        if not parts:
            return self._send(200, self._index(), "text/html; charset=utf-8")
        return self._send(404, {"error": "not found"})

    def do_DELETE(self):  # noqa: N802
        parts, _ = self._route()
        if parts == ["messages"]:
            self.store.clear()
            return self._send(200, {"deleted": True})
        if parts == ["sms"]:
            self.store.clear_sms()
            return self._send(200, {"deleted": True})
        if parts == ["faults"]:
            self.server.faults.clear()
            return self._send(200, {"deleted": True})
        return self._send(404, {"error": "not found"})

    def do_POST(self):  # noqa: N802
        parts, _ = self._route()
        data = self._body()
        if data is None:
            return self._send(400, {"error": "send a JSON object"})
        if parts == ["sms"]:
            to, text = data.get("to"), data.get("text")
            if not isinstance(to, str) or not to.strip() or not isinstance(text, str):
                return self._send(422, {"error": "'to' and 'text' are required strings"})
            item = self.store.add_sms(to.strip(), text, data.get("from"),
                                      self.headers.get("Idempotency-Key") or data.get("reference"))
            return self._send(201, {"id": item["id"], "message_id": item["id"], "status": "accepted"})
        if parts == ["faults"]:
            try:
                rule = self.server.faults.add(data.get("stage"), float(data.get("delay") or 0), data.get("reply"),
                                              data.get("rcpt"), data.get("times"))
            except (TypeError, ValueError) as exc:
                return self._send(422, {"error": str(exc)})
            return self._send(201, rule)
        return self._send(404, {"error": "not found"})

    def _index(self) -> str:
        rows = []
        for m in reversed(self.store.messages()):
            links = "".join(f'<li><a href="{html.escape(l)}">{html.escape(l)}</a></li>' for l in m["links"])
            rows.append(f"<tr><td>{html.escape(m['received_at'])}</td><td>{html.escape(', '.join(m['rcpt_to']))}</td>"
                        f"<td><a href=\"/messages/{m['id']}\">{html.escape(m['subject'])}</a></td>"
                        f"<td><ul>{links}</ul></td></tr>")
        sms = "".join(f"<tr><td>{html.escape(s['received_at'])}</td><td>{html.escape(s['to'])}</td>"
                      f"<td colspan=2>{html.escape(s['text'])}</td></tr>" for s in reversed(self.store.sms()))
        return ("<!doctype html><meta charset=utf-8><title>Paraph mail sink</title>"
                "<style>body{font-family:sans-serif}td{border-bottom:1px solid #ddd;padding:4px;vertical-align:top}</style>"
                "<h1>Mail sink</h1><p>JSON: <a href=/messages>/messages</a>, <a href=/sms>/sms</a>, "
                "<a href=/stats>/stats</a></p><table><tr><th>received</th><th>to</th><th>subject</th><th>links</th></tr>"
                + "".join(rows) + "</table><h2>SMS</h2><table>" + sms + "</table>")


class _HttpServer(ThreadingHTTPServer):
    daemon_threads = True
    allow_reuse_address = True
    block_on_close = False

    def __init__(self, address, store: Store, faults: Faults):
        self.store = store
        self.faults = faults
        super().__init__(address, _HttpHandler)


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
        deadline = time.time() + timeout
        while True:
            items = self.store.messages(**filters)
            if len(items) >= count:
                return items
            if time.time() > deadline:
                raise AssertionError(f"mail sink: expected {count} message(s) matching {filters}, got {len(items)}")
            time.sleep(0.05)

    def wait_for_sms(self, count: int = 1, timeout: float = 15.0, **filters) -> list[dict]:
        deadline = time.time() + timeout
        while True:
            items = self.store.sms(**filters)
            if len(items) >= count:
                return items
            if time.time() > deadline:
                raise AssertionError(f"mail sink: expected {count} SMS matching {filters}, got {len(items)}")
            time.sleep(0.05)

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


def start_sink(port: int = 0, http_port: int = 0, host: str = "127.0.0.1", directory: str | Path | None = None,
               dedupe: bool = True) -> RunningSink:
    """Start the SMTP and HTTP servers in background threads; port 0 picks free ports."""
    store = Store(directory, dedupe=dedupe)
    faults = Faults()
    smtp = _SmtpServer((host, port), store, faults)
    try:
        web = _HttpServer((host, http_port), store, faults)
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
    parser = argparse.ArgumentParser(prog="python -m paraph_platform.mailsink", description=__doc__.split("\n")[0])
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


if __name__ == "__main__":
    sys.exit(main())
