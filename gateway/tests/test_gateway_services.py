"""Gateway against the real broker: a service that is not running answers 503 quickly."""
import time

import pytest

pytestmark = pytest.mark.integration


def test_service_not_running_is_503(system):
    s = system()  # no service started on this vhost
    t0 = time.time()
    r = s.post("/api/v1/auth/login", json={"email": "a@b.test", "password": "whatever"})
    assert r.status_code in (503, 504) and r.mimetype == "application/problem+json"
    assert time.time() - t0 < 7
