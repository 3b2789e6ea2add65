"""The mail sink's HTTP JSON API (messages, SMS, stats, faults) and its small HTML page."""
from __future__ import annotations

import html
import json
import logging
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlparse

from .smtp import SinkServer
from .store import Store

log = logging.getLogger(__name__)


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


class HttpServer(SinkServer, ThreadingHTTPServer):
    handler_class = _HttpHandler
