"""API keys' pure rules: their form, their hash, the IP allow-list."""
import hashlib
import re

import pytest
from marshmallow import ValidationError

from identity_service.schemas import API_KEY_SCOPES, CreateApiKeySchema
from identity_service.service_accounts import (KEY_LENGTH, hash_api_key, ip_allowed, looks_like_api_key,
                                               new_api_key)


def test_keys_are_prefixed_base62_and_random():
    keys = {new_api_key() for _ in range(200)}
    assert len(keys) == 200
    for key in keys:
        # one token of letters and digits after the prefix: what secret scanners' patterns match
        assert re.fullmatch(r"pk_live_[0-9A-Za-z]{43}", key) and len(key) == KEY_LENGTH
        assert looks_like_api_key(key)


def test_a_key_is_stored_as_its_sha256():
    key = new_api_key()
    assert hash_api_key(key) == hashlib.sha256(key.encode()).hexdigest() != key


def test_only_strings_with_the_prefix_look_like_keys():
    assert not looks_like_api_key(None)
    assert not looks_like_api_key("eyJhbGciOiJFZERTQSJ9.x.y")
    assert not looks_like_api_key("pk_live_" + "a" * 200)


def test_ip_allow_list_takes_addresses_and_networks():
    assert ip_allowed("198.51.100.7", [])
    assert ip_allowed("198.51.100.7", ["198.51.100.0/24"])
    assert ip_allowed("2001:db8::1", ["203.0.113.9", "2001:db8::/32"])
    assert not ip_allowed("198.51.100.7", ["203.0.113.9"])
    assert not ip_allowed(None, ["203.0.113.9"])
    assert not ip_allowed("not an address", ["0.0.0.0/0"])


def test_a_new_keys_errors_are_said_at_once():
    """No scope, an allowed address that is none and an expiry in the past: the three refused in one answer (the
    addresses' and the expiry's checks, the schema's own, waited until the scopes were right, then came one by
    one)."""
    with pytest.raises(ValidationError) as refused:
        CreateApiKeySchema().load({"name": "prod", "scopes": [], "allowed_ips": ["203.0.113.0/24", "the office"],
                                   "expires_at": "2020-01-01T00:00:00+00:00"})
    assert refused.value.messages == {"scopes": [f"Length must be between 1 and {len(API_KEY_SCOPES)}."],
                                      "allowed_ips": ["not an IP address or CIDR network: the office"],
                                      "expires_at": ["must be in the future"]}
