"""The mail sink's SMTP server, and the faults tests inject into it (delays, refusals per stage)."""
from __future__ import annotations

import re
import socketserver
import threading
import time

from .store import Store

MAX_MESSAGE_BYTES = 50 * 1024 * 1024
MAX_LINE = 8192
MAX_DATA_LINE = 1024 * 1024
STAGES = ("connect", "mail", "rcpt", "data", "data_end")


def _addr(arg: str) -> str:
    """``FROM:<a@b> SIZE=1`` / ``TO:<a@b>`` -> ``a@b``."""
    _, _, rest = arg.partition(":")
    rest = rest.strip()
    if rest.startswith("<"):
        end = rest.find(">")
        return rest[1:end if end > 0 else None].strip()
    return rest.split(" ", 1)[0].strip()


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


class SinkServer:
    """What the SMTP and HTTP servers share (mixed in before their socketserver bases): a daemon thread per
    connection, no wait for them on close, and the store and faults their handlers reach as ``self.server``."""
    daemon_threads = True
    allow_reuse_address = True
    block_on_close = False
    handler_class: type

    def __init__(self, address, store: Store, faults: Faults):
        self.store = store
        self.faults = faults
        super().__init__(address, self.handler_class)


class SmtpServer(SinkServer, socketserver.ThreadingMixIn, socketserver.TCPServer):
    handler_class = _SmtpHandler
