"""A portal client limited to an IP address: the address is the one the trusted proxies saw.

The gateway trusts exactly TRUSTED_PROXY_HOPS reverse proxies (werkzeug ProxyFix): with 1, the last
X-Forwarded-For entry (written by our proxy) is the client; anything before it was sent by the client
and is ignored. With 0 the header is ignored altogether and the TCP peer is the client. The rule holds
at sign-in (identity checks the address) and on every request made with the token (the gateway
compares the token's `ip` claim with the client address).
"""
import pytest

pytestmark = [pytest.mark.integration, pytest.mark.e2e]

ALLOWED = "203.0.113.7"
ATTACKER = "198.51.100.9"
PROXY = "10.0.0.2"


def _get(s, path, token, remote, xff=None):
    headers = {"X-Forwarded-For": xff} if xff else None
    return s.get(path, token=token, headers=headers, environ_base={"REMOTE_ADDR": remote})


def test_one_trusted_proxy_forged_forwarded_for_cannot_bypass(make_world):
    w = make_world(gateway_config={"TRUSTED_PROXY_HOPS": 1})
    s = w.s
    access = w.grant("alice", "IP-1", allowed_ip=ALLOWED)
    assert access["allowed_ip"] == ALLOWED
    w.share(w.contract["id"], "alice")
    # the invitation is accepted from the allowed address (as seen by our proxy)
    session = w.client("alice", ip=PROXY, headers={"X-Forwarded-For": ALLOWED})
    token = session["access_token"]

    # sign-in: the attacker prepends the allowed address; the proxy appends the real one -> refused
    r = w.login("alice", ip=PROXY, headers={"X-Forwarded-For": f"{ALLOWED}, {ATTACKER}"})
    assert r.status_code == 403 and "IP address" in r.get_json()["detail"]
    # without any proxy header the TCP peer (the proxy itself) is not the allowed address either
    r = w.login("alice", ip=PROXY, headers={"X-Forwarded-For": f"{ATTACKER}, {ALLOWED}"})
    assert r.status_code == 200, r.get_json()  # forged entry first, real (allowed) address last

    # every request with the token: same rule
    path = "/api/v1/portal/contracts"
    assert _get(s, path, token, PROXY, ALLOWED).status_code == 200
    r = _get(s, path, token, PROXY, f"{ALLOWED}, {ATTACKER}")
    assert r.status_code == 403 and r.mimetype == "application/problem+json"
    assert _get(s, path, token, PROXY, f"{ATTACKER}, {ALLOWED}").status_code == 200
    assert _get(s, path, token, PROXY, ATTACKER).status_code == 403
    assert _get(s, f"/api/v1/portal/contracts/{w.contract['id']}", token, PROXY,
                f"{ALLOWED}, {ATTACKER}").status_code == 403
    # refreshing the session from elsewhere is refused too
    r = s.post("/api/v1/auth/refresh", json={"refresh_token": session["refresh_token"]},
               headers={"X-Forwarded-For": f"{ALLOWED}, {ATTACKER}"}, environ_base={"REMOTE_ADDR": PROXY})
    assert r.status_code == 403


def test_no_trusted_proxy_the_forwarded_for_header_is_ignored(make_world):
    w = make_world(gateway_config={"TRUSTED_PROXY_HOPS": 0})
    s = w.s
    w.grant("alice", "IP-1", allowed_ip=ALLOWED)
    session = w.client("alice", ip=ALLOWED)
    token = session["access_token"]
    # a header naming the allowed address changes nothing: the peer address counts
    r = w.login("alice", ip=ATTACKER, headers={"X-Forwarded-For": ALLOWED})
    assert r.status_code == 403
    assert w.login("alice", ip=ALLOWED, headers={"X-Forwarded-For": ATTACKER}).status_code == 200
    path = "/api/v1/portal/contracts"
    assert _get(s, path, token, ATTACKER, ALLOWED).status_code == 403
    assert _get(s, path, token, ALLOWED, ATTACKER).status_code == 200
    # lifting the restriction applies from the next sign-in
    r = s.patch(f"/api/v1/contacts/{w.alice['id']}/portal-access", json={"allowed_ip": None}, token=w.sales_token)
    assert r.status_code == 200 and r.get_json()["allowed_ip"] is None
    r = w.login("alice", ip=ATTACKER)
    assert r.status_code == 200
    assert _get(s, path, r.get_json()["access_token"], ATTACKER).status_code == 200
    # and an invalid address is a 422, not a 500
    r = s.patch(f"/api/v1/contacts/{w.alice['id']}/portal-access", json={"allowed_ip": "999.1.1.1"},
                token=w.sales_token)
    assert r.status_code == 422
