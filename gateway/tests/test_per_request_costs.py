"""Per-request work a gateway worker does once instead (found with bench/profile), still correct."""

import jwt
import pytest

from paraph_gateway import tokens
from paraph_platform.errors import Unauthorized
from paraph_platform.testing import TestTokenKey


@pytest.fixture
def verifier():
    key = TestTokenKey("cache-test")
    return key, tokens.TokenVerifier({"TOKEN_JWKS": key.jwks, "ACCESS_STATE_CHECK": False})


def test_a_token_is_verified_once_then_known_until_it_expires(verifier, monkeypatch):
    key, v = verifier
    decoded = []
    real = jwt.decode
    monkeypatch.setattr(tokens.jwt, "decode", lambda *a, **k: decoded.append(1) or real(*a, **k))
    token = key.token({"sub": "u1", "lic": "l1", "role": "user"}, ttl=60)
    first = v.claims(token)
    first["role"] = "license_admin"  # a caller changing its copy changes nothing for the next request
    assert v.claims(token)["role"] == "user" and v.claims(token)["sub"] == "u1"
    assert len(decoded) == 1
    expired = key.token({"sub": "u1", "lic": "l1", "role": "user"}, ttl=-60)
    with pytest.raises(Unauthorized, match="expired"):
        v.claims(expired)
    # past its expiry (and the leeway) the token is verified again (where an expired one gets its 401)
    now = tokens.time.time()
    monkeypatch.setattr(tokens.time, "time", lambda: now + 60 + tokens.LEEWAY_SECONDS + 1)
    v.claims(token)  # jwt checks exp against its own clock, the real one: still valid there
    assert len(decoded) == 3


def test_a_forged_token_is_never_remembered(verifier):
    key, v = verifier
    other = TestTokenKey("cache-test")  # same kid, another private key
    forged = other.token({"sub": "u1", "lic": "l1", "role": "license_admin"})
    for _ in range(2):
        with pytest.raises(Unauthorized):
            v.claims(forged)
    assert forged not in v._verified


def test_a_remembered_token_ends_with_its_key(verifier):
    key, v = verifier
    token = key.token({"sub": "u1", "lic": "l1", "role": "user"})
    v.claims(token)
    v.jwks._static = {}  # the key withdrawn from identity's JWKS (as after a refetch without it)
    v.jwks._fetched_at = tokens.time.monotonic()  # and just refetched: no new fetch for this request
    with pytest.raises(Unauthorized, match="unknown key"):
        v.claims(token)
