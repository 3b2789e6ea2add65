"""Requests gunicorn refuses before Flask sees them (a request line over 4 KB: 414; headers too large: 431;
a malformed request line: 400) are answered in problem+json like every other error, through the real
gunicorn with the gateway's gunicorn.conf.py, as `./paraph up` runs it (paraph_platform.gunicorn_errors), and
through the web app's, the one public address that forwards /api/ to the gateway."""
import os
import socket
import subprocess
import sys
from pathlib import Path

import pytest
import requests

from tests.drills.harness import free_port, wait_for

pytestmark = [pytest.mark.integration, pytest.mark.e2e]
ROOT = Path(__file__).resolve().parents[2]


def gunicorn(app_dir: str, env: dict, log_path: Path):
    """Serve gunicorn with ``<app_dir>/gunicorn.conf.py`` until the generator is closed; yields its base URL."""
    log = open(log_path, "w")
    proc = subprocess.Popen([str(Path(sys.executable).parent / "gunicorn"), "-c", str(ROOT / app_dir / "gunicorn.conf.py")],
                            cwd=ROOT, env={**os.environ, **env}, stdout=log, stderr=subprocess.STDOUT)
    base = f"http://{env.get('GATEWAY_BIND') or env['WEB_BIND']}"
    try:
        wait_for(lambda: requests.get(f"{base}/healthz", timeout=2).ok, 60, 0.3, "gunicorn to serve")
        yield base
    finally:
        proc.terminate()
        proc.wait(timeout=20)
        log.close()


@pytest.fixture
def gateway(rabbit_config, tmp_path):
    yield from gunicorn("gateway", {
        "AMQP_URI": rabbit_config["AMQP_URI"], "GATEWAY_BIND": f"127.0.0.1:{free_port()}", "GATEWAY_WORKERS": "1",
        "GATEWAY_THREADS": "2", "GATEWAY_ACCESS_LOG": "0", "PARAPH_DATA_DIR": str(tmp_path)}, tmp_path / "gateway.log")


@pytest.fixture
def web(gateway, tmp_path):
    from cryptography.fernet import Fernet
    yield from gunicorn("web", {
        "GATEWAY_URL": gateway, "WEB_PROXY_GATEWAY": "1", "WEB_SESSION_KEY": Fernet.generate_key().decode(),
        "WEB_BIND": f"127.0.0.1:{free_port()}", "WEB_WORKERS": "1", "WEB_THREADS": "2", "WEB_ACCESS_LOG": "0"},
        tmp_path / "web.log")


def raw(base: str, request: bytes) -> bytes:
    host, port = base.removeprefix("http://").split(":")
    with socket.create_connection((host, int(port)), timeout=10) as sock:
        sock.sendall(request)
        chunks = []
        while chunk := sock.recv(65536):
            chunks.append(chunk)
    return b"".join(chunks)


def test_a_query_string_over_4_kb_is_a_problem_json_414(gateway):
    r = requests.get(f"{gateway}/api/v1/customers", params={"q": "x" * 5000}, timeout=10)
    assert r.status_code == 414 and r.headers["Content-Type"] == "application/problem+json", r.text[:300]
    body = r.json()
    assert body["status"] == 414 and body["code"] == "uri_too_long" and "4094 bytes" in body["detail"]
    # just under the limit, the request reaches the API (which wants a token here)
    r = requests.get(f"{gateway}/api/v1/customers", params={"q": "x" * 3500}, timeout=10)
    assert r.status_code == 401 and r.headers["Content-Type"] == "application/problem+json"


def test_other_requests_gunicorn_refuses_are_problem_json_too(gateway):
    huge_header = raw(gateway, b"GET /healthz HTTP/1.1\r\nHost: x\r\nX-Big: " + b"y" * 9000 + b"\r\n\r\n")
    malformed = raw(gateway, b"GET /healthz HTTP/9.9.9\r\nHost: x\r\n\r\n")
    for answer in (huge_header, malformed):
        head, _, body = answer.partition(b"\r\n\r\n")
        assert b"Content-Type: application/problem+json" in head, answer[:300]
        status = int(head.split(b" ", 2)[1])
        assert 400 <= status < 500 and f'"status": {status}'.encode() in body, answer[:300]


def test_the_public_address_answers_a_long_url_in_problem_json_too(web):
    r = requests.get(f"{web}/api/v1/customers", params={"q": "x" * 5000}, timeout=10)
    assert r.status_code == 414 and r.headers["Content-Type"] == "application/problem+json", r.text[:300]
    assert r.json()["code"] == "uri_too_long"
    # under the limit the web app forwards it to the gateway, whose own answer comes back
    r = requests.get(f"{web}/api/v1/customers", params={"q": "x" * 3500}, timeout=10)
    assert r.status_code == 401 and r.headers["Content-Type"] == "application/problem+json"
