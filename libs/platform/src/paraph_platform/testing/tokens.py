"""Access tokens for tests: ``TestTokenKey`` (an Ed25519 key pair that mints tokens like identity's), the
shared ``TEST_TOKEN_KEY``, and ``TEST_OPERATOR_TOKEN`` (the operator token the test gateways accept)."""
from __future__ import annotations

import time


class TestTokenKey:
    """An Ed25519 key pair for tests (and benchmarks) that mint access tokens themselves: give the gateway
    ``create_app({"TOKEN_JWKS": key.jwks, ...})`` and sign with ``key.token(claims)``."""

    __test__ = False  # not a pytest test class

    def __init__(self, kid: str = "test-key"):
        from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
        self.kid = kid
        self.private_key = Ed25519PrivateKey.generate()

    @property
    def jwks(self) -> dict:
        from jwt.algorithms import OKPAlgorithm
        jwk = OKPAlgorithm.to_jwk(self.private_key.public_key(), as_dict=True)
        return {"keys": [{**jwk, "kid": self.kid, "alg": "EdDSA", "use": "sig"}]}

    def token(self, claims: dict, ttl: int = 3600) -> str:
        """An access token like identity's (``typ``, ``exp``, ``ver`` defaulted)."""
        import jwt
        claims = {"typ": "access", "ver": 1, "exp": int(time.time()) + ttl, **claims}
        return jwt.encode(claims, self.private_key, algorithm="EdDSA", headers={"kid": self.kid})


TEST_TOKEN_KEY = TestTokenKey()
TEST_OPERATOR_TOKEN = "operator-test-token"
