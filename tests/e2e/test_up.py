"""The README's first command: `./paraph up` starts the whole system (every service as its own process,
embedded SQLite databases, embedded OPA engine, gunicorn gateway, mail sink) and the README walk-through
works against it over HTTP. Also: one clear line when the broker is unreachable or refuses us, or when
DATABASE_URL cannot work; a crashed service is restarted; no child outlives `up` (killed, or its output
closed)."""
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


def up_env(tmp_path, rabbit_config) -> dict:
    """The environment of a `./paraph up` on the test's vhost, with its own data dir (SQLite databases)."""
    env = {**os.environ, "AMQP_URI": rabbit_config["AMQP_URI"], "PARAPH_DATA_DIR": str(tmp_path),
           "PARAPH_ROOT": str(ROOT), "LOG_LEVEL": "INFO", "GATEWAY_WORKERS": "1", "GATEWAY_ACCESS_LOG": "0",
           "WEB_WORKERS": "1", "ARGON2_MEMORY_KIB": "8192"}
    for key in [k for k in env if k.endswith("DATABASE_URL") or k in ("OPERATOR_TOKEN", "GATEWAY_BIND", "OPA_URL",
                                                                      "SMTP_URL")]:
        env.pop(key)
    return env


def up_command(port, smtp, mail_http) -> list[str]:
    return [sys.executable, "-m", "paraph_platform.devtool", "up", "--port", str(port), "--smtp-port", str(smtp),
            "--mail-http-port", str(mail_http)]


def processes_of(data_dir) -> dict[int, str]:
    """Every live process whose environment names ``data_dir`` (all that one `up` started, grandchildren
    included: they inherit it), pid -> command line. Zombies have no environment left: not counted."""
    needle = f"PARAPH_DATA_DIR={data_dir}".encode()
    found = {}
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit() or int(entry.name) == os.getpid():
            continue
        try:
            if needle in (entry / "environ").read_bytes().split(b"\0"):
                found[int(entry.name)] = (entry / "cmdline").read_bytes().replace(b"\0", b" ").decode()
        except OSError:  # gone meanwhile, or not ours
            continue
    return found


def log_line(path, pattern, timeout, what):
    """The first match of ``pattern`` in the log at ``path``, waiting for it."""
    return wait(lambda: re.search(pattern, Path(path).read_text()), timeout, what)


def test_broker_unreachable_is_a_clear_error(tmp_path):
    env = {**os.environ, "AMQP_URI": "pyamqp://guest:guest@127.0.0.1:1//", "PARAPH_DATA_DIR": str(tmp_path)}
    r = subprocess.run([sys.executable, "-m", "paraph_platform.devtool", "up"], env=env, cwd=ROOT,
                       capture_output=True, text=True, timeout=60)
    assert r.returncode == 2
    assert "RabbitMQ is not reachable at 127.0.0.1:1" in r.stderr


def test_paraph_up_runs_the_whole_system(tmp_path, rabbit_config, rabbit_manager):
    port, smtp, mail_http = free_port(), free_port(), free_port()
    log = open(tmp_path / "up.log", "w")
    proc = subprocess.Popen(up_command(port, smtp, mail_http), env=up_env(tmp_path, rabbit_config), cwd=ROOT,
                            stdout=log, stderr=subprocess.STDOUT, start_new_session=True)
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
                            headers={"Accept-Language": "en"})  # the email's language (French) wins
        assert page.status_code == 410 and "Ce lien a déjà été utilisé." in page.text  # accepted above
        assert requests.get(f"http://127.0.0.1:{port}/", timeout=30, allow_redirects=False).headers[
            "Location"].startswith("/sign-in")
        log.flush()
        assert f"Paraph is ready on http://127.0.0.1:{port}/" in (tmp_path / "up.log").read_text()
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


@pytest.mark.parametrize("uri_of, expected", [
    (lambda vhost: f"pyamqp://guest:guest@127.0.0.1:5672/{vhost}-missing", "vhost"),
    (lambda vhost: f"pyamqp://guest:wrong-password@127.0.0.1:5672/{vhost}", "user and password"),
], ids=["missing-vhost", "bad-password"])
def test_broker_refusing_us_is_one_clear_line(tmp_path, rabbit_config, uri_of, expected):
    """Checked once before anything starts (it used to be thousands of lines of tracebacks from every child)."""
    env = {**up_env(tmp_path, rabbit_config), "AMQP_URI": uri_of(rabbit_config["vhost"])}
    started = time.monotonic()
    r = subprocess.run(up_command(free_port(), free_port(), free_port()), env=env, cwd=ROOT,
                       capture_output=True, text=True, timeout=60)
    assert r.returncode == 2
    lines = (r.stdout + r.stderr).strip().splitlines()
    assert len(lines) == 1, lines
    assert lines[0].startswith("error: RabbitMQ at 127.0.0.1:5672 refused user 'guest'") and expected in lines[0]
    assert time.monotonic() - started < 15
    assert not processes_of(tmp_path)


def test_database_url_naming_one_database_is_refused_up_front(tmp_path, rabbit_config):
    env = {**up_env(tmp_path, rabbit_config), "DATABASE_URL": "postgresql://paraph:secret@127.0.0.1:5432/paraph"}
    r = subprocess.run(up_command(free_port(), free_port(), free_port()), env=env, cwd=ROOT,
                       capture_output=True, text=True, timeout=60)
    assert r.returncode == 2
    lines = (r.stdout + r.stderr).strip().splitlines()
    assert len(lines) == 1 and "DATABASE_URL names a database (paraph)" in lines[0], lines
    assert "_DATABASE_URL" in lines[0] and "secret" not in lines[0]
    assert not processes_of(tmp_path)


def test_a_crashed_service_is_restarted_and_no_child_outlives_a_killed_up(tmp_path, rabbit_config):
    port, smtp, mail_http = free_port(), free_port(), free_port()
    log_path = tmp_path / "up.log"
    log = open(log_path, "w")
    proc = subprocess.Popen(up_command(port, smtp, mail_http), env=up_env(tmp_path, rabbit_config), cwd=ROOT,
                            stdout=log, stderr=subprocess.STDOUT, start_new_session=True)
    api = f"http://127.0.0.1:{port}/api/v1"
    try:
        log_line(log_path, r"==> Paraph is ready on ", 150, "the ready line")
        assert requests.get(f"http://127.0.0.1:{port}/readyz", timeout=5).status_code == 200
        # the gateway itself listens on a loopback port only (the web app, on --port, fronts it)
        gateway_pid = int(log_line(log_path, r"==> started gateway \(pid (\d+)\)", 1, "gateway").group(1))
        gateway_bind = dict(v.split("=", 1) for v in Path(f"/proc/{gateway_pid}/environ").read_text().split("\0")
                            if "=" in v)["GATEWAY_BIND"]
        assert gateway_bind.startswith("127.0.0.1:")
        assert listening_addresses(int(gateway_bind.rsplit(":", 1)[1])) == {"127.0.0.1"}
        op = {"Authorization": f"Bearer {(tmp_path / 'operator_token').read_text().strip()}"}

        def seat_pool_created():  # an identity RPC through the gateway
            return requests.post(f"{api}/operator/seat-pools", headers=op, timeout=15, json={
                "name": "ACME", "seats": 1, "expires_at": "2030-12-31T00:00:00Z"}).status_code == 201

        wait(seat_pool_created, 60, "identity")
        identity = int(log_line(log_path, r"==> started identity \(pid (\d+)\)", 1, "identity").group(1))
        os.kill(identity, signal.SIGKILL)
        log_line(log_path, r"==> identity was killed by SIGKILL; restarting it in 1s \(restart #1\)", 30,
                 "the restart line")
        log_line(log_path, r"==> started identity \(pid (?!%d\))\d+\)" % identity, 30, "identity restarted")
        wait(seat_pool_created, 90, "identity answering again")
        log_line(log_path, r"==> Paraph is ready again", 30, "the ready-again line")
        assert proc.poll() is None  # the rest of the system kept running
        log.flush()
        assert "stopping" not in log_path.read_text()

        children = processes_of(tmp_path)
        assert len(children) >= 9, children  # mail sink, six services, gateway and web (plus their workers)
        proc.send_signal(signal.SIGKILL)  # no chance to stop anything: the children must go by themselves
        proc.wait(timeout=10)
        wait(lambda: not processes_of(tmp_path), 30, "every child of the killed `up` to exit")
    finally:
        if proc.poll() is None:
            proc.send_signal(signal.SIGTERM)
            proc.wait(timeout=40)
        for pid in processes_of(tmp_path):  # only if the test failed: leave nothing behind
            os.kill(pid, signal.SIGKILL)
        log.close()


def test_closing_the_output_of_up_stops_every_child(tmp_path, rabbit_config):
    """`./paraph up | head -1` or a reader that goes away later: `up` stops everything (it used to stay,
    or die on EPIPE with its children left running)."""
    env = up_env(tmp_path, rabbit_config)
    head = subprocess.run(["bash", "-c", " ".join(up_command(free_port(), free_port(), free_port())) + " | head -1"],
                          env=env, cwd=ROOT, capture_output=True, text=True, timeout=60)
    assert head.stdout.startswith("==> started ")
    wait(lambda: not processes_of(tmp_path), 30, "every child of `up | head -1` to exit")

    proc = subprocess.Popen(up_command(free_port(), free_port(), free_port()), env=env, cwd=ROOT,
                            stdout=subprocess.PIPE, stderr=subprocess.STDOUT, start_new_session=True)
    try:
        for line in proc.stdout:  # every child started, logging into this pipe
            if line.startswith(b"==> waiting for"):
                break
        assert len(processes_of(tmp_path)) >= 9
        proc.stdout.close()  # the reader goes away
        assert proc.wait(timeout=40) == 1
        wait(lambda: not processes_of(tmp_path), 30, "every child to exit")
    finally:
        if proc.poll() is None:
            proc.kill()
        for pid in processes_of(tmp_path):  # only if the test failed: leave nothing behind
            os.kill(pid, signal.SIGKILL)
