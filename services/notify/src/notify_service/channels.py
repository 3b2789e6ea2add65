"""The outside world: SMTP, SMS providers and webhook HTTP calls.

Everything here is blocking-style code over the standard socket API, which eventlet's monkey
patching makes cooperative (smtplib, http.client, requests); every network operation has a timeout.
"""
from __future__ import annotations

import http.client
import logging
import re
import smtplib
import socket
import ssl
import threading
import time
from dataclasses import dataclass
from email.message import EmailMessage
from email.utils import formataddr, formatdate
from email import policy as email_policy
from urllib.parse import urlsplit, urlunsplit

import requests

from . import logic

log = logging.getLogger(__name__)

CRLF = b"\r\n"


class DeliveryError(Exception):
    """A send attempt failed. ``permanent``: retrying cannot help (e.g. 5xx on RCPT).
    ``in_doubt``: the message may have been delivered (the point of no return was passed)."""

    def __init__(self, message: str, *, permanent: bool = False, in_doubt: bool = False):
        super().__init__(message)
        self.message = message
        self.permanent = permanent
        self.in_doubt = in_doubt


class LostClaim(Exception):
    """Another sender owns the row now: stop before the point of no return."""


# -- email -----------------------------------------------------------------------------------------

def build_email(*, mail_from: str, to: str, to_name: str | None, subject: str, text: str, html: str | None,
                message_id: str, reply_to: str | None = None, attachments: list | None = None,
                headers: dict | None = None) -> EmailMessage:
    msg = EmailMessage(policy=email_policy.SMTP)
    msg["From"] = mail_from
    msg["To"] = formataddr((to_name or "", to)) if to_name else to
    msg["Subject"] = subject
    msg["Date"] = formatdate(localtime=False, usegmt=True)
    msg["Message-ID"] = message_id
    msg["Auto-Submitted"] = "auto-generated"
    if reply_to:
        msg["Reply-To"] = reply_to
    for key, value in (headers or {}).items():
        msg[key] = value
    msg.set_content(text)
    if html:
        msg.add_alternative(html, subtype="html")
    for att in attachments or []:
        maintype, _, subtype = (att.get("content_type") or "application/octet-stream").partition("/")
        msg.add_attachment(att["content"], maintype=maintype, subtype=subtype or "octet-stream",
                           filename=att.get("filename") or "document.pdf")
    return msg


def _smtp_error(code: int, resp, what: str, in_doubt: bool = False) -> DeliveryError:
    text = resp.decode("utf-8", "replace") if isinstance(resp, bytes) else str(resp)
    return DeliveryError(f"SMTP {what} refused: {code} {text}".strip(), permanent=500 <= code < 600,
                         in_doubt=in_doubt)


class SmtpMailer:
    """Sends one message per connection, in two phases around the end of DATA.

    ``before_commit`` runs after the whole message was transmitted and right before the final
    ``<CRLF>.<CRLF>``: the server cannot deliver a message whose DATA was not terminated, so every
    failure before that point is a clean "not sent". The callback records the point of no return
    (and fences the attempt: it raises :class:`LostClaim` when another sender took the row over).
    """

    def __init__(self, target: logic.SmtpTarget, timeout: float = 30.0, local_hostname: str | None = None):
        self.target = target
        self.timeout = timeout
        self.local_hostname = local_hostname

    def _context(self):
        ctx = ssl.create_default_context()
        if not self.target.verify:
            ctx.check_hostname = False
            ctx.verify_mode = ssl.CERT_NONE
        return ctx

    def _connect(self):
        t = self.target
        try:
            if t.ssl:
                return smtplib.SMTP_SSL(t.host, t.port, timeout=self.timeout, context=self._context(),
                                        local_hostname=self.local_hostname)
            return smtplib.SMTP(t.host, t.port, timeout=self.timeout, local_hostname=self.local_hostname)
        except (OSError, smtplib.SMTPException) as exc:
            raise DeliveryError(f"cannot connect to the SMTP server {t.describe()}: {exc}") from None

    def send(self, message: EmailMessage, sender: str, recipients: list[str], before_commit=None) -> str:
        raw = message.as_bytes(policy=email_policy.SMTP)
        smtp = self._connect()
        passed_point_of_no_return = False
        try:
            code, resp = smtp.ehlo()
            if not 200 <= code < 300:
                code, resp = smtp.helo()
                if not 200 <= code < 300:
                    raise _smtp_error(code, resp, "HELO")
            if self.target.starttls:
                if not smtp.has_extn("starttls"):
                    raise DeliveryError("the SMTP server does not offer STARTTLS (required by SMTP_URL)")
                smtp.starttls(context=self._context())
                smtp.ehlo()
            if self.target.username:
                try:
                    smtp.login(self.target.username, self.target.password or "")
                except smtplib.SMTPAuthenticationError as exc:
                    raise DeliveryError(f"SMTP authentication failed: {exc.smtp_code} {exc.smtp_error!r}") from None
            options = []
            if smtp.has_extn("8bitmime"):
                options.append("BODY=8BITMIME")
            code, resp = smtp.mail(sender, options)
            if code != 250:
                raise _smtp_error(code, resp, "MAIL FROM")
            for rcpt in recipients:
                code, resp = smtp.rcpt(rcpt)
                if code not in (250, 251):
                    raise _smtp_error(code, resp, f"recipient {rcpt}")
            code, resp = smtp.docmd("DATA")
            if code != 354:
                raise _smtp_error(code, resp, "DATA")
            body = re.sub(rb"(?m)^\.", b"..", raw)
            if not body.endswith(CRLF):
                body += CRLF
            smtp.send(body)
            if before_commit is not None:
                before_commit()
            passed_point_of_no_return = True
            smtp.send(b"." + CRLF)
            code, resp = smtp.getreply()
            if code != 250:
                # an explicit refusal: the server did not take the message
                raise _smtp_error(code, resp, "message")
            try:
                smtp.quit()
            except (OSError, smtplib.SMTPException):
                pass
            return resp.decode("utf-8", "replace") if isinstance(resp, bytes) else str(resp)
        except (DeliveryError, LostClaim):
            raise
        except (OSError, smtplib.SMTPException) as exc:
            if passed_point_of_no_return:
                raise DeliveryError(f"no answer from the SMTP server after the message was sent: {exc}",
                                    in_doubt=True) from None
            raise DeliveryError(f"SMTP error: {exc}") from None
        finally:
            try:
                smtp.close()
            except Exception:  # noqa: BLE001
                pass


# -- SMS -------------------------------------------------------------------------------------------

class SmsProvider:
    """``send(to, text) -> provider_message_id``. ``idempotency_key`` lets the provider drop a
    second copy of a message sent again after a crash."""
    name = "abstract"

    def send(self, to: str, text: str, *, idempotency_key: str | None = None) -> str:
        raise NotImplementedError


class DisabledSmsProvider(SmsProvider):
    name = "none"

    def send(self, to, text, *, idempotency_key=None):
        raise DeliveryError("SMS is not configured (set SMS_PROVIDER)", permanent=True)


class FakeSmsProvider(SmsProvider):
    """Keeps messages in memory (``sent``) and logs them: unit tests and offline development."""
    name = "log"

    def __init__(self):
        self.sent: list[dict] = []
        self._lock = threading.Lock()

    def send(self, to, text, *, idempotency_key=None):
        with self._lock:
            for item in self.sent:
                if idempotency_key and item["reference"] == idempotency_key:
                    return item["id"]
            item = {"id": f"fake-{len(self.sent) + 1}", "to": to, "text": text, "reference": idempotency_key}
            self.sent.append(item)
        log.info("SMS to %s: %s", to, text)
        return item["id"]


class HttpSmsProvider(SmsProvider):
    """POSTs ``{"to", "text", "from", "reference"}`` as JSON to ``SMS_API_URL`` with
    ``Authorization: Bearer SMS_API_KEY`` and ``Idempotency-Key``; expects 2xx with ``{"id": ...}``
    (or ``message_id``). 4xx (but 408/429) is permanent, anything else is retried."""
    name = "http"

    def __init__(self, url: str, api_key: str | None = None, sender: str | None = None, timeout: float = 10.0):
        self.url = url
        self.api_key = api_key
        self.sender = sender
        self.timeout = timeout
        self.session = requests.Session()

    def send(self, to, text, *, idempotency_key=None):
        headers = {"Content-Type": "application/json", "User-Agent": "Paraph-Notify/1.0"}
        if self.api_key:
            headers["Authorization"] = f"Bearer {self.api_key}"
        if idempotency_key:
            headers["Idempotency-Key"] = idempotency_key
        payload = {"to": to, "text": text, "from": self.sender, "reference": idempotency_key}
        try:
            resp = self.session.post(self.url, json=payload, headers=headers, timeout=self.timeout,
                                     allow_redirects=False)
        except requests.ConnectionError as exc:
            raise DeliveryError(f"SMS provider unreachable: {exc}") from None
        except requests.RequestException as exc:
            raise DeliveryError(f"SMS provider error: {exc}", in_doubt=True) from None
        if 200 <= resp.status_code < 300:
            try:
                body = resp.json()
            except ValueError:
                body = {}
            return str(body.get("id") or body.get("message_id") or resp.headers.get("X-Message-Id") or "")
        permanent = 400 <= resp.status_code < 500 and resp.status_code not in (408, 409, 425, 429)
        raise DeliveryError(f"SMS provider answered {resp.status_code}: {resp.text[:300]}", permanent=permanent)


def make_sms_provider(kind: str | None, url: str | None, api_key: str | None, sender: str | None,
                      timeout: float) -> SmsProvider:
    kind = (kind or "none").lower()
    if kind in ("none", "disabled", ""):
        return DisabledSmsProvider()
    if kind in ("log", "fake", "memory"):
        return FakeSmsProvider()
    if kind == "sink":
        return HttpSmsProvider(url or "http://127.0.0.1:8025/sms", api_key, sender, timeout)
    if kind == "http":
        if not url:
            raise RuntimeError("SMS_PROVIDER=http needs SMS_API_URL")
        return HttpSmsProvider(url, api_key, sender, timeout)
    raise RuntimeError(f"unknown SMS_PROVIDER {kind!r} (use none, log, sink or http)")


# -- webhooks --------------------------------------------------------------------------------------

@dataclass
class HttpResult:
    ok: bool
    status: int | None
    body: str | None
    error: str | None
    duration_ms: int


MAX_RESPONSE_BODY = 2048


def resolve(host: str, port: int) -> list[str]:
    """The host's addresses, in the resolver's order of preference."""
    try:
        infos = socket.getaddrinfo(host, port, proto=socket.IPPROTO_TCP)
    except OSError:
        return []
    return list(dict.fromkeys(info[4][0] for info in infos))


class PinnedHTTPConnection(http.client.HTTPConnection):
    """Connects to ``addresses`` (already checked) instead of resolving ``host`` again, so a DNS
    answer that changes between the check and the connection (rebinding) cannot redirect the request;
    the Host header still names ``host``."""

    def __init__(self, host: str, port: int, addresses: list[str], connect_timeout: float, timeout: float):
        super().__init__(host, port, timeout=timeout)
        self.addresses = addresses
        self.connect_timeout = connect_timeout

    def _pinned_socket(self):
        error = OSError("no address to connect to")
        for address in self.addresses:
            try:
                sock = socket.create_connection((address, self.port), self.connect_timeout)
            except OSError as exc:
                error = exc
                continue
            try:
                sock.settimeout(self.timeout)
                sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
            except OSError:
                sock.close()
                raise
            return sock
        raise error

    def connect(self):
        self.sock = self._pinned_socket()


class PinnedHTTPSConnection(PinnedHTTPConnection):
    """TLS to a pinned address: SNI and certificate verification use ``host``, not the address."""
    default_port = 443

    def __init__(self, host, port, addresses, connect_timeout, timeout, context: ssl.SSLContext):
        super().__init__(host, port, addresses, connect_timeout, timeout)
        self.context = context

    def connect(self):
        sock = self._pinned_socket()
        tls = None
        try:
            # once wrapped, the TLS socket owns the file descriptor (``sock`` is detached), and eventlet's
            # wrapper does not close it when a handshake inside wrap_socket fails: handshake separately so a
            # failed handshake or certificate check closes the socket that holds the connection
            tls = self.context.wrap_socket(sock, server_hostname=self.host.rstrip("."),
                                           do_handshake_on_connect=False)
            tls.do_handshake()
        except BaseException:
            if tls is not None:
                tls.close()
            sock.close()
            raise
        self.sock = tls


def default_tls_context() -> ssl.SSLContext:
    """Certificates verified against the CA bundle requests uses."""
    return ssl.create_default_context(cafile=requests.utils.DEFAULT_CA_BUNDLE_PATH)


class WebhookClient:
    """One POST per attempt to the addresses checked by :func:`logic.check_resolved` (never a second
    DNS lookup); redirects are not followed, the whole call is bounded by ``timeout``."""

    def __init__(self, timeout: float = 10.0, allow_private: bool = False, resolver=resolve,
                 tls_context: ssl.SSLContext | None = None):
        self.timeout = timeout
        self.allow_private = allow_private
        self.resolver = resolver
        self.tls_context = tls_context or default_tls_context()

    def _connection(self, scheme: str, host: str, port: int, addresses: list[str]):
        connect_timeout = min(5.0, self.timeout)
        if scheme == "https":
            return PinnedHTTPSConnection(host, port, addresses, connect_timeout, self.timeout, self.tls_context)
        return PinnedHTTPConnection(host, port, addresses, connect_timeout, self.timeout)

    def post(self, url: str, body: bytes, headers: dict) -> HttpResult:
        import eventlet
        start = time.monotonic()

        def result(ok, status=None, text=None, error=None):
            return HttpResult(ok, status, text, error, int((time.monotonic() - start) * 1000))

        try:
            parts = urlsplit(url)
            scheme = parts.scheme.lower()
            host = (parts.hostname or "").encode("idna").decode("ascii")
            port = parts.port or (443 if scheme == "https" else 80)
        except (UnicodeError, ValueError):
            return result(False, error="refused: not a valid URL")
        if scheme not in ("http", "https") or not host:
            return result(False, error="refused: not an http(s) URL")
        addresses = self.resolver(host, port)
        refusal = logic.check_resolved(addresses, self.allow_private)
        if refusal:
            return result(False, error=refusal)
        target = requests.utils.requote_uri(urlunsplit(("", "", parts.path or "/", parts.query, "")))
        conn = self._connection(scheme, host, port, addresses)
        try:
            with eventlet.Timeout(self.timeout + 1):
                conn.request("POST", target, body=body, headers=headers)
                resp = conn.getresponse()
                chunk = resp.read(MAX_RESPONSE_BODY) or b""
        except (eventlet.Timeout, TimeoutError):
            return result(False, error=f"timeout after {self.timeout:.0f}s")
        except (OSError, http.client.HTTPException) as exc:
            return result(False, error=f"connection error: {type(exc).__name__}: {str(exc)[:300]}")
        finally:
            conn.close()
        text = chunk.decode("utf-8", "replace")
        if 200 <= resp.status < 300:
            return result(True, resp.status, text)
        if 300 <= resp.status < 400:
            return result(False, resp.status, text,
                          f"HTTP {resp.status} (redirects are not followed; use the final URL)")
        return result(False, resp.status, text, f"HTTP {resp.status}")
