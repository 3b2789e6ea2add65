"""Ed25519 token keys: the JWK published, its kid, and a configured key in PEM or as a file."""
import jwt
import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ec import SECP256R1, generate_private_key
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from identity_service import token_keys


def test_public_jwk_has_no_private_part_and_an_rfc7638_kid():
    key = Ed25519PrivateKey.generate()
    jwk = token_keys.public_jwk(key)
    assert set(jwk) == {"kty", "crv", "x", "kid", "alg", "use"} and jwk["alg"] == "EdDSA"
    assert jwk["kid"] == token_keys.public_jwk(key)["kid"] != token_keys.public_jwk(Ed25519PrivateKey.generate())["kid"]
    token = jwt.encode({"sub": "u"}, key, algorithm="EdDSA", headers={"kid": jwk["kid"]})
    assert jwt.decode(token, jwt.PyJWK(jwk).key, algorithms=["EdDSA"]) == {"sub": "u"}


def test_configured_key_from_pem_text_or_file(tmp_path):
    key = Ed25519PrivateKey.generate()
    pem = token_keys.private_pem(key)
    path = tmp_path / "token.pem"
    path.write_text(pem)
    for value in (pem, str(path)):
        assert token_keys.public_jwk(token_keys.load_private_key(value)) == token_keys.public_jwk(key)
    ec_pem = generate_private_key(SECP256R1()).private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()).decode()
    with pytest.raises(RuntimeError, match="Ed25519"):
        token_keys.load_private_key(ec_pem)
