"""Access tokens: only identity can mint them (Ed25519, its private key alone), and a change of rights
applies to the very next request of every live token, in the gateway worker that proxied the change and
in every other one (through identity's events)."""
import base64
import json
import re
from datetime import datetime, timedelta, timezone
from pathlib import Path

import jwt
import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from paraph_platform.testing import TEST_OPERATOR_TOKEN

pytestmark = pytest.mark.integration

ROOT = Path(__file__).resolve().parents[2]
OP = {"Authorization": f"Bearer {TEST_OPERATOR_TOKEN}"}
PREFS = {"signed": {"email": True}}  # a write any signed-in user may do


def _b64url_raw(raw: bytes) -> str:
    return base64.urlsafe_b64encode(raw).rstrip(b"=").decode()


def _b64(data: dict) -> str:
    return _b64url_raw(json.dumps(data).encode())


def forged(session: dict, header: dict, signature: str = "") -> str:
    """The victim's own claims under a header of the attacker's choosing."""
    claims = jwt.decode(session["access_token"], options={"verify_signature": False})
    claims["role"] = "license_admin"
    return f"{_b64(header)}.{_b64(claims)}.{signature}"


def kid_of(token: str) -> str:
    return jwt.get_unverified_header(token)["kid"]


def other_worker(s):
    """A second gateway worker process: its own access-state cache and event listener."""
    from paraph_gateway import create_app
    from paraph_gateway.tokens import verifier
    app = create_app(dict(s.app.config))
    client = app.test_client()
    assert client.get("/api/v1/.well-known/jwks.json").status_code == 200
    with app.app_context():
        tokens = verifier()
    s.wait_for(lambda: tokens.states.listening, message="the second worker's event listener")
    return client


def bearer(session) -> dict:
    return {"Authorization": f"Bearer {session['access_token']}"}


@pytest.fixture
def office(system):
    s = system("identity")
    admin = s.new_license("Office SA", "admin@office.test")
    user = s.add_user(admin, "ursula@office.test")
    return s, admin, user


# -- only identity can mint a token ---------------------------------------------------------------------------

def test_tokens_not_signed_by_identity_are_refused(office):
    s, admin, user = office
    assert s.get("/api/v1/me", token=user["access_token"]).status_code == 200
    jwks = s.get("/api/v1/.well-known/jwks.json").get_json()
    public = next(k for k in jwks["keys"] if k["kid"] == kid_of(user["access_token"]))
    assert public["kty"] == "OKP" and public["alg"] == "EdDSA" and "d" not in public
    attempts = {
        # HS256 "signed" with any secret, including the published public key (algorithm confusion)
        "hs256 any secret": jwt.encode(jwt.decode(user["access_token"], options={"verify_signature": False}),
                                       "a secret the attacker picked, long enough", algorithm="HS256",
                                       headers={"kid": public["kid"]}),
        "hs256 public key": jwt.encode(jwt.decode(user["access_token"], options={"verify_signature": False}),
                                       public["x"], algorithm="HS256", headers={"kid": public["kid"]}),
        "alg none": forged(user, {"alg": "none", "typ": "JWT", "kid": public["kid"]}),
        "no kid": forged(user, {"alg": "EdDSA", "typ": "JWT"},
                         user["access_token"].rsplit(".", 1)[1]),
        "claims changed": forged(user, {"alg": "EdDSA", "typ": "JWT", "kid": public["kid"]},
                                 user["access_token"].rsplit(".", 1)[1]),
    }
    # a genuine Ed25519 signature by a key identity never published
    attacker_key = Ed25519PrivateKey.generate()
    claims = jwt.decode(admin["access_token"], options={"verify_signature": False})
    attempts["unknown kid"] = jwt.encode(claims, attacker_key, algorithm="EdDSA", headers={"kid": "attacker"})
    attempts["known kid, other key"] = jwt.encode(claims, attacker_key, algorithm="EdDSA",
                                                  headers={"kid": public["kid"]})
    for name, token in attempts.items():
        r = s.get("/api/v1/users", token=token)
        assert r.status_code == 401, (name, r.status_code, r.get_json())
        assert r.mimetype == "application/problem+json"


def test_rotation_keeps_live_tokens_valid_and_signs_new_ones_with_the_new_key(office):
    s, admin, user = office
    old_kid = kid_of(user["access_token"])
    r = s.post("/api/v1/operator/token-keys/rotate", headers=OP)
    assert r.status_code == 200, r.get_json()
    new_kid = r.get_json()["kid"]
    assert new_kid != old_kid
    assert {k["kid"] for k in s.get("/api/v1/.well-known/jwks.json").get_json()["keys"]} >= {old_kid, new_kid}
    assert s.get("/api/v1/me", token=user["access_token"]).status_code == 200  # until it expires
    fresh = s.post("/api/v1/auth/login", json={"email": "ursula@office.test", "password": "a long enough password"})
    assert fresh.status_code == 200
    assert kid_of(fresh.get_json()["access_token"]) == new_kid
    # a worker that has never seen the new key fetches it on first sight of its kid
    assert other_worker(s).get("/api/v1/me", headers=bearer(fresh.get_json())).status_code == 200
    assert s.post("/api/v1/operator/token-keys/rotate").status_code in (401, 403)


def test_a_configured_private_key_signs_and_is_rotated_by_deployment(system):
    key = Ed25519PrivateKey.generate()
    pem = key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                            serialization.NoEncryption()).decode()
    s = system("identity", service_config={"identity": {"JWT_PRIVATE_KEY": pem}})
    admin = s.new_license("Keyed SA", "admin@keyed.test")
    header = jwt.get_unverified_header(admin["access_token"])
    jwk = next(k for k in s.get("/api/v1/.well-known/jwks.json").get_json()["keys"] if k["kid"] == header["kid"])
    assert jwt.decode(admin["access_token"], jwt.PyJWK(jwk).key, algorithms=["EdDSA"])["sub"] == admin["user"]["user_id"]
    assert jwk["x"] == _b64url_raw(key.public_key().public_bytes(serialization.Encoding.Raw,
                                                                 serialization.PublicFormat.Raw))
    assert s.post("/api/v1/operator/token-keys/rotate", headers=OP).status_code == 409


def test_only_identity_code_reads_a_token_key():
    reads = re.compile(r"""(?:env|getenv|environ\.get|config\.get|\bget)\(\s*["'](JWT_[A-Z_]+)["']"""
                       r"""|\[\s*["'](JWT_[A-Z_]+)["']\s*\]""")
    readers = {}
    for top in ("services", "gateway", "libs"):
        for path in (ROOT / top).glob("*/src/**/*.py") if top != "gateway" else (ROOT / top / "src").rglob("*.py"):
            for match in reads.finditer(path.read_text()):
                readers.setdefault(match.group(1) or match.group(2), set()).add(path.relative_to(ROOT).parts[:2])
    assert "JWT_SECRET" not in readers, readers
    assert readers.get("JWT_PRIVATE_KEY") == {("services", "identity")}, readers


# -- a change of rights applies to the next request --------------------------------------------------------------

def test_a_deactivated_user_is_refused_on_the_next_request(office):
    s, admin, user = office
    elsewhere = other_worker(s)
    assert elsewhere.get("/api/v1/me", headers=bearer(user)).status_code == 200  # cached there
    assert s.patch("/api/v1/me/preferences", json=PREFS, token=user["access_token"]).status_code == 200
    r = s.post(f"/api/v1/users/{user['user']['user_id']}/deactivate", token=admin["access_token"])
    assert r.status_code == 200, r.get_json()
    assert s.get("/api/v1/me", token=user["access_token"]).status_code == 401
    assert s.patch("/api/v1/me/preferences", json=PREFS, token=user["access_token"]).status_code == 401
    assert s.post("/api/v1/auth/refresh", json={"refresh_token": user["refresh_token"]}).status_code == 401
    # the other worker hears identity's event
    s.wait_for(lambda: elsewhere.get("/api/v1/me", headers=bearer(user)).status_code == 401, timeout=5,
               message="the other worker to refuse the deactivated user's token")
    # reactivated and back in: the old token stays dead, the new session works
    r = s.post(f"/api/v1/users/{user['user']['user_id']}/reactivate", token=admin["access_token"])
    assert r.status_code == 200, r.get_json()
    again = s.accept("ursula@office.test")
    assert s.get("/api/v1/me", token=again["access_token"]).status_code == 200
    assert s.get("/api/v1/me", token=user["access_token"]).status_code == 401


def test_a_demoted_admin_loses_admin_rights_on_the_next_request(office):
    s, admin, user = office
    second = s.add_user(admin, "second@office.test", role="license_admin")
    elsewhere = other_worker(s)
    assert s.get("/api/v1/users", token=second["access_token"]).status_code == 200
    assert elsewhere.get("/api/v1/users", headers=bearer(second)).status_code == 200
    r = s.patch(f"/api/v1/users/{second['user']['user_id']}", json={"role": "user"}, token=admin["access_token"])
    assert r.status_code == 200, r.get_json()
    assert s.get("/api/v1/users", token=second["access_token"]).status_code == 403
    assert s.post("/api/v1/users", json={"email": "x@office.test"}, token=second["access_token"]).status_code == 403
    s.wait_for(lambda: elsewhere.get("/api/v1/users", headers=bearer(second)).status_code == 403, timeout=5,
               message="the other worker to apply the demotion")
    assert s.get("/api/v1/me", token=second["access_token"]).status_code == 200  # still a user


def test_a_switched_off_license_refuses_its_live_tokens(office):
    s, admin, user = office
    elsewhere = other_worker(s)
    assert elsewhere.get("/api/v1/me", headers=bearer(user)).status_code == 200
    r = s.patch(f"/api/v1/operator/seat-pools/{admin['pool']['id']}", headers=OP,
                json={"expires_at": (datetime.now(timezone.utc) - timedelta(minutes=1)).isoformat()})
    assert r.status_code == 200, r.get_json()
    refused = s.get("/api/v1/me", token=user["access_token"])
    assert refused.status_code == 403 and refused.get_json()["expires_at"], refused.get_json()  # the day it ended
    refused = s.post("/api/v1/auth/refresh", json={"refresh_token": user["refresh_token"]})
    assert refused.status_code == 403 and refused.get_json()["expires_at"], refused.get_json()
    s.wait_for(lambda: elsewhere.get("/api/v1/me", headers=bearer(user)).status_code == 403, timeout=5,
               message="the other worker to apply the subscription end")


def test_a_password_reset_ends_every_session(office):
    s, admin, user = office
    s.post("/api/v1/auth/forgot-password", json={"email": "ursula@office.test"})
    link = next(l for l in s.invitation_links("ursula@office.test") if "reset-password" in l)
    r = s.post("/api/v1/auth/reset-password", json={"token": link.split("token=", 1)[1],
                                                    "password": "a brand new password"})
    assert r.status_code == 200, r.get_json()
    assert s.get("/api/v1/me", token=user["access_token"]).status_code == 401


def test_a_portal_client_whose_ip_restriction_changed_is_refused_on_the_next_request(system):
    s = system("identity", "perimeter", "contracts", "portal")
    admin = s.new_license("Vendeur SA", "admin@vendeur.test")
    r = s.post("/api/v1/customers", token=admin["access_token"], json={"name": "Client Co", "kind": "company",
               "contacts": [{"first_name": "Cli", "last_name": "Ent", "email": "client@clientco.test"}]})
    assert r.status_code == 201, r.get_json()
    contact_id = r.get_json()["contacts"][0]["id"]
    r = s.post(f"/api/v1/contacts/{contact_id}/portal-access", token=admin["access_token"],
               json={"user_code": "C-1", "allowed_ip": "127.0.0.1"})  # the test client's address
    assert r.status_code == 201, r.get_json()
    client = s.accept("client@clientco.test")
    elsewhere = other_worker(s)
    assert s.get("/api/v1/me", token=client["access_token"]).status_code == 200
    assert elsewhere.get("/api/v1/me", headers=bearer(client)).status_code == 200
    r = s.patch(f"/api/v1/contacts/{contact_id}/portal-access", token=admin["access_token"],
                json={"allowed_ip": "203.0.113.9"})
    assert r.status_code == 200, r.get_json()
    assert s.get("/api/v1/me", token=client["access_token"]).status_code == 403
    s.wait_for(lambda: elsewhere.get("/api/v1/me", headers=bearer(client)).status_code == 403, timeout=5,
               message="the other worker to apply the new IP restriction")
    # revoked: the token is dead everywhere
    r = s.delete(f"/api/v1/contacts/{contact_id}/portal-access", token=admin["access_token"])
    assert r.status_code == 200, r.get_json()
    assert s.get("/api/v1/me", token=client["access_token"]).status_code == 401
