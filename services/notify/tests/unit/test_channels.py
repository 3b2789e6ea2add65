"""SMTP (two phases around the end of DATA), SMS providers and the webhook HTTP client, against
the in-process mail sink and a loopback HTTP server (no broker or database needed)."""
import base64
import datetime
import hashlib
import hmac
import json
import socket
import ssl
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from notify_service import logic
from notify_service.channels import (DeliveryError, FakeSmsProvider, HttpSmsProvider, LostClaim, SmtpMailer,
                                     WebhookClient, build_email, make_sms_provider)


def email(to="marie@example.test", mid="<n.1@paraph.test>"):
    return build_email(mail_from="Paraph <no-reply@paraph.test>", to=to, to_name="Marie", subject="Sujet é",
                       text="Bonjour\n.leading dot\n", html="<p>Bonjour</p>", message_id=mid,
                       attachments=[{"content": b"%PDF-1.4", "content_type": "application/pdf", "filename": "d.pdf"}])


def mailer(sink, timeout=5.0, auth=""):
    return SmtpMailer(logic.parse_smtp_url(f"smtp://{auth}127.0.0.1:{sink.smtp_port}"), timeout=timeout)


def test_send_commits_once_and_keeps_the_message_id(mail_sink):
    calls = []
    mailer(mail_sink, auth="user:pass@").send(email(), "no-reply@paraph.test", ["marie@example.test"],
                                              before_commit=lambda: calls.append(1))
    assert calls == [1]
    [m] = mail_sink.messages(to="marie@example.test")
    assert m["message_id"] == "<n.1@paraph.test>" and m["subject"] == "Sujet é"
    assert ".leading dot" in m["text"] and m["attachments"][0]["filename"] == "d.pdf"
    assert dict(m["headers"])["Auto-Submitted"] == "auto-generated"


def test_no_reply_after_the_end_of_data_is_in_doubt(mail_sink):
    mail_sink.faults.add("data_end", delay=1.5, times=1)
    with pytest.raises(DeliveryError) as err:
        mailer(mail_sink, timeout=0.3).send(email(), "a@paraph.test", ["marie@example.test"], before_commit=lambda: None)
    assert err.value.in_doubt and not err.value.permanent
    assert len(mail_sink.messages()) == 1  # it was delivered: that is why the same Message-ID is reused


def test_failures_before_the_end_of_data_are_clean(mail_sink):
    calls = []
    mail_sink.faults.add("rcpt", reply="550 5.1.1 unknown user")
    with pytest.raises(DeliveryError) as err:
        mailer(mail_sink).send(email(), "a@paraph.test", ["marie@example.test"], before_commit=lambda: calls.append(1))
    assert err.value.permanent and not err.value.in_doubt and calls == []
    mail_sink.clear()
    mail_sink.faults.add("data_end", reply="451 4.3.0 busy", times=1)
    with pytest.raises(DeliveryError) as err:
        mailer(mail_sink).send(email(), "a@paraph.test", ["marie@example.test"])
    assert not err.value.permanent and not err.value.in_doubt and mail_sink.messages() == []


def test_a_lost_claim_stops_before_the_point_of_no_return(mail_sink):
    def fence():
        raise LostClaim("taken over")
    with pytest.raises(LostClaim):
        mailer(mail_sink).send(email(), "a@paraph.test", ["marie@example.test"], before_commit=fence)
    deadline = time.time() + 3
    while mail_sink.stats()["aborted"] < 1 and time.time() < deadline:
        time.sleep(0.05)
    assert mail_sink.messages() == [] and mail_sink.stats()["aborted"] == 1


def test_unreachable_server_is_retryable():
    m = SmtpMailer(logic.parse_smtp_url("smtp://127.0.0.1:1"), timeout=1)
    with pytest.raises(DeliveryError) as err:
        m.send(email(), "a@paraph.test", ["x@example.test"])
    assert not err.value.permanent and not err.value.in_doubt and "cannot connect" in err.value.message


def test_sms_providers(mail_sink):
    provider = make_sms_provider("sink", mail_sink.sms_url, None, "Paraph", 5)
    first = provider.send("+33612345678", "Code 123456", idempotency_key="k1")
    again = provider.send("+33612345678", "Code 123456", idempotency_key="k1")
    assert first and first == again and len(mail_sink.sms(to="+33612345678")) == 1
    bad = HttpSmsProvider(mail_sink.http_url + "/nowhere")
    with pytest.raises(DeliveryError) as err:
        bad.send("+33612345678", "x")
    assert err.value.permanent  # 404
    with pytest.raises(DeliveryError) as err:
        make_sms_provider("none", None, None, None, 1).send("+33612345678", "x")
    assert "SMS_PROVIDER" in err.value.message
    fake = FakeSmsProvider()
    assert fake.send("+1555000111", "hi", idempotency_key="a") == fake.send("+1555000111", "hi", idempotency_key="a")
    with pytest.raises(RuntimeError):
        make_sms_provider("carrier-pigeon", None, None, None, 1)


class _Receiver(BaseHTTPRequestHandler):
    def log_message(self, *a):
        pass

    def do_POST(self):  # noqa: N802
        length = int(self.headers["Content-Length"])
        self.server.seen.append((self.path, dict(self.headers), self.rfile.read(length)))
        if self.path == "/slow":
            time.sleep(2)
        status = {"/ok": 200, "/fail": 500, "/moved": 302}.get(self.path, 200)
        body = b"x" * 10000 if self.path == "/ok" else b"nope"
        self.send_response(status)
        if status == 302:
            self.send_header("Location", "/ok")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        try:
            self.wfile.write(body)
        except (BrokenPipeError, ConnectionResetError):
            pass  # /slow: the client timed out and closed the connection


@pytest.fixture
def receiver():
    server = ThreadingHTTPServer(("127.0.0.1", 0), _Receiver)
    server.daemon_threads = True
    server.seen = []
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield server
    server.shutdown()


def test_webhook_client(receiver):
    base = f"http://127.0.0.1:{receiver.server_address[1]}"
    client = WebhookClient(timeout=0.5, allow_private=True)
    ok = client.post(base + "/ok", b"{}", {"Webhook-Id": "e1"})
    assert ok.ok and ok.status == 200 and len(ok.body) == 2048
    fail = client.post(base + "/fail", b"{}", {})
    assert not fail.ok and fail.status == 500 and fail.error == "HTTP 500"
    moved = client.post(base + "/moved", b"{}", {})
    assert not moved.ok and moved.status == 302 and "redirects are not followed" in moved.error
    assert [p for p, _h, _b in receiver.seen] == ["/ok", "/fail", "/moved"]  # the redirect was not followed
    slow = client.post(base + "/slow", b"{}", {})
    assert not slow.ok and "timeout" in slow.error and slow.duration_ms < 1800
    refused = WebhookClient(timeout=0.5, allow_private=False).post(base + "/ok", b"{}", {})
    assert not refused.ok and "non-public" in refused.error and len(receiver.seen) == 4
    assert json.loads(b"{}") == {}


class Resolver:
    """A DNS that answers ``address`` for every name, then ``rebound`` for any later lookup."""

    def __init__(self, address, rebound="10.66.66.66"):
        self.address, self.rebound = address, rebound
        self.lookups = []

    def __call__(self, host, port):
        self.lookups.append(host)
        return [self.address if len(self.lookups) == 1 else self.rebound]


@pytest.fixture
def connections(monkeypatch):
    """Every address the code under test opens a TCP connection to."""
    seen = []
    real = socket.create_connection

    def create_connection(address, *a, **kw):
        seen.append(address)
        return real(address, *a, **kw)

    monkeypatch.setattr(socket, "create_connection", create_connection)
    return seen


def signed(event_id="evt-1"):
    secret = logic.new_webhook_secret()
    envelope = {"id": event_id, "type": "user.invited.v1", "data": {"email": "a@b.test"}}
    body = logic.webhook_body(envelope)
    return secret, body, logic.webhook_headers(envelope, body, [secret], int(time.time()))


def valid_signature(secret, headers, body):
    key = base64.b64decode(secret.removeprefix("whsec_"))
    signed_text = f"{headers['Webhook-Id']}.{headers['Webhook-Timestamp']}.".encode() + body
    expected = "v1," + base64.b64encode(hmac.new(key, signed_text, hashlib.sha256).digest()).decode()
    return any(hmac.compare_digest(expected, s) for s in headers["Webhook-Signature"].split(" "))


def test_webhook_to_a_name_resolving_to_loopback_is_refused(receiver, connections):
    port = receiver.server_address[1]
    resolver = Resolver("127.0.0.1")
    _secret, body, headers = signed()
    refused = WebhookClient(timeout=0.5, resolver=resolver).post(f"http://hooks.paraph.invalid:{port}/ok", body,
                                                                 headers)
    assert not refused.ok and "non-public address (127.0.0.1)" in refused.error
    assert resolver.lookups == ["hooks.paraph.invalid"] and connections == [] and receiver.seen == []


def test_webhook_connects_to_the_checked_address_with_the_original_host(receiver, connections):
    """The name never resolves (.invalid) and a second lookup would answer another address: the
    request still reaches the address that was checked, once, with the URL's Host header."""
    port = receiver.server_address[1]
    resolver = Resolver("127.0.0.1")
    secret, body, headers = signed()
    ok = WebhookClient(timeout=2, allow_private=True, resolver=resolver).post(
        f"http://Hooks.Paraph.invalid:{port}/ok?x=1#frag", body, headers)
    assert ok.ok and ok.status == 200, ok
    assert resolver.lookups == ["hooks.paraph.invalid"] and connections == [("127.0.0.1", port)]
    [(path, seen_headers, seen_body)] = receiver.seen
    assert path == "/ok?x=1" and seen_headers["Host"] == f"hooks.paraph.invalid:{port}" and seen_body == body
    assert valid_signature(secret, seen_headers, seen_body)


def test_webhook_tries_the_checked_addresses_in_order(receiver, connections):
    port = receiver.server_address[1]
    client = WebhookClient(timeout=2, allow_private=True, resolver=lambda host, p: ["127.0.0.2", "127.0.0.1"])
    assert client.post(f"http://hooks.paraph.invalid:{port}/ok", b"{}", {}).ok
    assert connections == [("127.0.0.2", port), ("127.0.0.1", port)] and len(receiver.seen) == 1


def _certificates(tmp_path, name):
    """A test CA and a certificate for ``name`` only (no IP address), as PEM files."""
    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.x509.oid import NameOID

    now = datetime.datetime.now(datetime.timezone.utc)

    def build(subject, issuer, key, signer, ca, san=None):
        b = (x509.CertificateBuilder().subject_name(subject).issuer_name(issuer).public_key(key.public_key())
             .serial_number(x509.random_serial_number()).not_valid_before(now - datetime.timedelta(minutes=5))
             .not_valid_after(now + datetime.timedelta(days=1))
             .add_extension(x509.BasicConstraints(ca=ca, path_length=None), critical=True))
        if san:
            b = b.add_extension(x509.SubjectAlternativeName([x509.DNSName(san)]), critical=False)
        return b.sign(signer, hashes.SHA256())

    ca_key, key = ec.generate_private_key(ec.SECP256R1()), ec.generate_private_key(ec.SECP256R1())
    ca_name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "Paraph test CA")])
    ca = build(ca_name, ca_name, ca_key, ca_key, True)
    leaf = build(x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, name)]), ca_name, key, ca_key, False, san=name)
    cert_file, key_file = tmp_path / "cert.pem", tmp_path / "key.pem"
    cert_file.write_bytes(leaf.public_bytes(serialization.Encoding.PEM))
    key_file.write_bytes(key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                                           serialization.NoEncryption()))
    return ca.public_bytes(serialization.Encoding.PEM).decode(), cert_file, key_file


def test_https_webhook_verifies_the_certificate_of_the_host_name(tmp_path, connections):
    ca_pem, cert_file, key_file = _certificates(tmp_path, "hooks.paraph.invalid")
    server_ctx = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    server_ctx.load_cert_chain(cert_file, key_file)
    server = ThreadingHTTPServer(("127.0.0.1", 0), _Receiver)
    server.daemon_threads = True
    server.seen = []
    server.socket = server_ctx.wrap_socket(server.socket, server_side=True)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        port = server.server_address[1]
        client = WebhookClient(timeout=2, allow_private=True, resolver=Resolver("127.0.0.1"),
                               tls_context=ssl.create_default_context(cadata=ca_pem))
        secret, body, headers = signed()
        ok = client.post(f"https://hooks.paraph.invalid:{port}/ok", body, headers)
        assert ok.ok and ok.status == 200, ok
        [(_path, seen_headers, _body)] = server.seen
        assert seen_headers["Host"] == f"hooks.paraph.invalid:{port}" and valid_signature(secret, seen_headers, body)
        client.resolver = Resolver("127.0.0.1")
        wrong = client.post(f"https://other.paraph.invalid:{port}/ok", body, headers)
        assert not wrong.ok and "certificate" in wrong.error.lower() and len(server.seen) == 1
        assert connections == [("127.0.0.1", port)] * 2
    finally:
        server.shutdown()
        server.server_close()


def test_failed_tls_handshake_closes_the_socket(connections):
    """A webhook endpoint that does not speak TLS: the attempt fails cleanly and the TLS socket (which owns the
    file descriptor once wrapped) is closed, not left for the garbage collector (ResourceWarning)."""
    import gc
    import warnings

    listener = socket.create_server(("127.0.0.1", 0))

    def not_tls():
        while True:
            try:
                conn, _ = listener.accept()
            except OSError:
                return
            with conn:
                conn.recv(1024)
                conn.sendall(b"HTTP/1.1 400 Bad Request\r\n\r\nthis is not TLS\r\n")

    threading.Thread(target=not_tls, daemon=True).start()
    port = listener.getsockname()[1]
    client = WebhookClient(timeout=2, allow_private=True, resolver=Resolver("127.0.0.1"))
    try:
        gc.collect()  # garbage of earlier tests is not this test's business
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always", ResourceWarning)
            failed = client.post(f"https://hooks.paraph.invalid:{port}/ok", b"{}", {})
            gc.collect()
        assert not failed.ok and failed.error
        unclosed = [str(w.message) for w in caught if issubclass(w.category, ResourceWarning)
                    and f"'127.0.0.1', {port})" in str(w.message)]
        assert unclosed == [], unclosed
        assert connections == [("127.0.0.1", port)]
    finally:
        listener.close()
