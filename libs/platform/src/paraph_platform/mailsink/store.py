"""The mail sink's memory: received messages (parsed for tests) and the fake SMS provider's outbox."""
from __future__ import annotations

import base64
import hashlib
import html
import json
import logging
import re
import threading
import uuid
from datetime import datetime, timezone
from email import policy
from email.parser import BytesParser
from pathlib import Path

log = logging.getLogger(__name__)

LINK_RE = re.compile(r"https?://[^\s<>\"')\]]+")


def _now_iso() -> str:
    return datetime.now(timezone.utc).isoformat().replace("+00:00", "Z")


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
