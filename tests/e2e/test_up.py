"""The README's first command: `./paraph up` starts the whole system (every service as its own process,
embedded SQLite databases, embedded OPA engine, gunicorn gateway, mail sink) and the README walk-through
works against it over HTTP. Also: a clear error when the broker is unreachable."""
import os
import re
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest
import requests

pytestmark = [pytest.mark.integration, pytest.mark.e2e]
ROOT = Path(__file__).resolve().parents[2]


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait(predicate, timeout, what):
    deadline = time.time() + timeout
    last = None
    while time.time() < deadline:
        try:
            value = predicate()
            if value:
                return value
        except Exception as exc:  # noqa: BLE001 - not up yet
            last = exc
        time.sleep(0.5)
    raise AssertionError(f"timed out waiting for {what} ({last})")


def listening_addresses(port: int) -> set[str]:
    """The local addresses with a socket listening on ``port`` (Linux /proc/net/tcp, hex little-endian)."""
    found = set()
    for table in ("/proc/net/tcp", "/proc/net/tcp6"):
        for line in Path(table).read_text().splitlines()[1:]:
            local, state = line.split()[1], line.split()[3]
            address, local_port = local.split(":")
            if state == "0A" and int(local_port, 16) == port:  # 0A = LISTEN
                found.add(socket.inet_ntop(socket.AF_INET, bytes.fromhex(address)[::-1]) if len(address) == 8
                          else address)
    return found


def queues(rabbit_manager, vhost) -> str:
    """name, ready, unacknowledged and consumers of the test vhost's queues (for a failure report)."""
    try:
        return "\n".join(f"{q['name']} ready={q.get('messages_ready')} unacked={q.get('messages_unacknowledged')} "
                         f"consumers={q.get('consumers')}" for q in rabbit_manager.get_queues(vhost))
    except Exception as exc:  # noqa: BLE001 - a report, not a check
        return f"(queues unavailable: {exc})"


def test_broker_unreachable_is_a_clear_error(tmp_path):
    env = {**os.environ, "AMQP_URI": "pyamqp://guest:guest@127.0.0.1:1//", "PARAPH_DATA_DIR": str(tmp_path)}
    r = subprocess.run([sys.executable, "-m", "paraph_platform.devtool", "up"], env=env, cwd=ROOT,
                       capture_output=True, text=True, timeout=60)
    assert r.returncode == 2
    assert "RabbitMQ is not reachable at 127.0.0.1:1" in r.stderr


def test_paraph_up_runs_the_whole_system(tmp_path, rabbit_config, rabbit_manager):
    port, smtp, mail_http = free_port(), free_port(), free_port()
    env = {**os.environ, "AMQP_URI": rabbit_config["AMQP_URI"], "PARAPH_DATA_DIR": str(tmp_path),
           "PARAPH_ROOT": str(ROOT), "LOG_LEVEL": "INFO", "GATEWAY_WORKERS": "1", "GATEWAY_ACCESS_LOG": "0",
           "ARGON2_MEMORY_KIB": "8192"}
    for key in [k for k in env if k.endswith("DATABASE_URL") or k in ("OPERATOR_TOKEN", "GATEWAY_BIND", "OPA_URL",
                                                                      "SMTP_URL")]:
        env.pop(key)
    log = open(tmp_path / "up.log", "w")
    proc = subprocess.Popen([sys.executable, "-m", "paraph_platform.devtool", "up", "--port", str(port),
                             "--smtp-port", str(smtp), "--mail-http-port", str(mail_http)],
                            env=env, cwd=ROOT, stdout=log, stderr=subprocess.STDOUT, start_new_session=True)
    api = f"http://127.0.0.1:{port}/api/v1"
    try:
        wait(lambda: requests.get(f"http://127.0.0.1:{port}/readyz", timeout=2).ok, 120, "the gateway")
        # the gateway listens on loopback only, with a random operator token generated for this data dir,
        # readable by its owner only and printed at start (no well-known default token)
        assert listening_addresses(port) == {"127.0.0.1"}
        token_file = tmp_path / "operator_token"
        operator_token = token_file.read_text().strip()
        assert len(operator_token) >= 32 and operator_token != "dev-operator-token"
        assert token_file.stat().st_mode & 0o777 == 0o600
        log.flush()
        assert f"operator token: {operator_token}" in (tmp_path / "up.log").read_text()
        op = {"Authorization": f"Bearer {operator_token}"}
        assert requests.post(f"{api}/operator/seat-pools", timeout=30, headers={
            "Authorization": "Bearer dev-operator-token"}, json={"name": "X", "seats": 1,
                                                                  "expires_at": "2030-12-31T00:00:00Z"}).status_code == 401

        def post(path, json, **kw):
            return requests.post(api + path, json=json, timeout=30, **kw)

        # services come up one by one: retry the first call until identity answers
        pool = wait(lambda: (lambda r: r.json() if r.status_code == 201 else None)(
            post("/operator/seat-pools", {"name": "ACME", "seats": 10, "expires_at": "2030-12-31T00:00:00Z"},
                 headers=op)), 120, "identity")
        r = post("/licenses/activate", {"activation_code": pool["activation_code"], "company_name": "ACME Paris",
                                        "admin_email": "boss@acme.test"})
        assert r.status_code == 201, r.text
        try:
            mail = wait(lambda: requests.get(f"http://127.0.0.1:{mail_http}/messages?to=boss@acme.test",
                                             timeout=5).json()["items"], 90, "the invitation email")
        except AssertionError:
            log.flush()
            print(f"\n--- queues\n{queues(rabbit_manager, rabbit_config['vhost'])}\n--- up.log (tail)\n"
                  f"{(tmp_path / 'up.log').read_text()[-8000:]}")
            raise
        token = re.search(r"token=([A-Za-z0-9_\-]+)", mail[-1]["text"]).group(1)
        session = post("/auth/accept-invitation", {"token": token, "password": "a long password"}).json()
        auth = {"Authorization": f"Bearer {session['access_token']}"}
        customer = wait(lambda: (lambda r: r.json() if r.status_code == 201 else None)(
            post("/customers", {"name": "Hervé David"}, headers=auth)), 60, "contracts")
        quote = post("/quotes", {"title": "Devis", "customer_id": customer["id"], "lines": [
            {"description": "Installation", "quantity": "1", "unit_price": "100", "tax_rate": "20"}]},
            headers=auth).json()
        assert quote["total"] == "120.00"
        pdf = requests.get(f"{api}/contracts/{quote['id']}/pdf", headers=auth, timeout=60)
        assert pdf.status_code == 200 and pdf.content.startswith(b"%PDF-")
        assert requests.get(f"{api}/openapi.json", timeout=10).json()["openapi"].startswith("3.1")
        # the same address serves the staff web app: the emailed set-password link opens its page
        page = requests.get(f"http://127.0.0.1:{port}/set-password?token={token}", timeout=30,
                            headers={"Accept-Language": "en"})
        assert page.status_code == 410 and "already used" in page.text  # accepted above
        assert requests.get(f"http://127.0.0.1:{port}/", timeout=30, allow_redirects=False).headers[
            "Location"].startswith("/sign-in")
        log.flush()
        assert f"Paraph on http://127.0.0.1:{port}/" in (tmp_path / "up.log").read_text()
        # every service kept its own embedded database
        assert {p.name for p in tmp_path.glob("*.db")} >= {"identity.db", "perimeter.db", "contracts.db",
                                                           "signing.db", "portal.db", "notify.db"}
    finally:
        proc.send_signal(signal.SIGTERM)  # like Ctrl-C: devtool stops its children
        try:
            proc.wait(timeout=40)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)
        log.close()
    assert proc.returncode == 0, (tmp_path / "up.log").read_text()[-3000:]
