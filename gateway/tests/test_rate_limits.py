"""Rate limits: the counter against the real RabbitMQ (a vhost of the test's own), and the gateway's answers."""
import time

import pytest

from paraph_gateway import create_app, rate_limits
from paraph_gateway.rate_limits import RateLimiter, subject_and_limit
from paraph_platform.testing import TEST_TOKEN_KEY

WINDOW = 60


class Clock:
    """A clock the test moves: mid-window, so a check never straddles two windows."""

    def __init__(self):
        self.now = (time.time() // WINDOW) * WINDOW + 20.0

    def __call__(self):
        return self.now


@pytest.fixture
def clock():
    return Clock()


@pytest.fixture
def make_limiter(rabbit_config, clock):
    made = []

    def make(uri=None):
        limiter = RateLimiter(uri or rabbit_config["AMQP_URI"], WINDOW, clock=clock)
        made.append(limiter)
        return limiter

    yield make
    for limiter in made:
        limiter.close()


def test_three_per_window_then_refused_with_the_end_of_the_window(make_limiter):
    limiter = make_limiter()
    decisions = [limiter.check("user:l1:u1", 3) for _ in range(4)]
    assert [d.allowed for d in decisions] == [True, True, True, False]
    assert [d.remaining for d in decisions] == [2, 1, 0, 0]
    assert {d.limit for d in decisions} == {3}
    assert {d.reset for d in decisions} == {40}  # 20 s into a 60 s window
    assert decisions[0].headers() == {"RateLimit-Limit": "3", "RateLimit-Remaining": "2", "RateLimit-Reset": "40"}


def test_two_workers_share_the_count_and_subjects_are_counted_apart(make_limiter):
    first, second = make_limiter(), make_limiter()  # as two gateway workers (or replicas) would be
    assert first.check("user:l1:u1", 3).allowed and second.check("user:l1:u1", 3).allowed
    assert first.check("user:l1:u1", 3).remaining == 0
    assert not second.check("user:l1:u1", 3).allowed
    assert second.check("user:l1:u2", 3).remaining == 2  # another user is not affected


def test_a_new_window_starts_a_new_count(make_limiter, clock):
    limiter = make_limiter()
    for _ in range(3):
        limiter.check("api_key:k1", 3)
    assert not limiter.check("api_key:k1", 3).allowed
    clock.now += WINDOW
    fresh = limiter.check("api_key:k1", 3)
    assert fresh.allowed and fresh.remaining == 2


def test_a_changed_limit_counts_anew_rather_than_failing(make_limiter):
    limiter = make_limiter()
    for _ in range(3):
        limiter.check("user:l1:u1", 3)
    # the window's queue was declared with x-max-length=3: a queue of the new limit, not a channel error
    raised = limiter.check("user:l1:u1", 5)
    assert raised.allowed and raised.remaining == 4


def test_an_unreachable_broker_serves_requests_unchecked_and_warns_once(make_limiter, caplog):
    limiter = make_limiter("pyamqp://guest:guest@127.0.0.1:1//")
    started = time.perf_counter()
    assert limiter.check("user:l1:u1", 3) is None
    assert time.perf_counter() - started < 1  # refused at once, not after kombu's retries
    assert limiter.check("user:l1:u1", 3) is None  # not tried again for a while (no connect per request)
    warnings = [r for r in caplog.records if r.name == rate_limits.__name__]
    assert len(warnings) == 1 and "rate limits not checked" in warnings[0].getMessage()


def test_a_count_nacked_with_room_left_is_a_broker_failure_not_a_refusal(make_limiter, monkeypatch, caplog):
    """A queue whose node shuts down nacks publishes too: the cluster drill got a 429 for a limit of 10**9."""
    monkeypatch.setattr(rate_limits._Channel, "count_one_more",
                        lambda channel, name, limit, expires_ms: (channel.count(name, limit, expires_ms), False))
    limiter = make_limiter()
    assert limiter.check("user:l1:u1", 3) is None  # served unchecked, not refused
    assert "rate limits not checked" in caplog.text and "which is not full" in caplog.text


def test_the_subject_and_limit_of_users_and_api_keys():
    config = {"RATE_LIMIT_USER_PER_WINDOW": 600, "RATE_LIMIT_API_KEY_PER_WINDOW": 1200}
    user = {"user_id": "u1", "license_id": "l1", "role": "user"}
    assert subject_and_limit(user, config) == ("user:l1:u1", 600)
    assert subject_and_limit({**user, "rate_limit_per_window": 5}, config) == ("user:l1:u1", 5)
    key = {"user_id": "sa1", "license_id": "l1", "role": "user", "service_account": True, "api_key_id": "k1"}
    assert subject_and_limit(key, config) == ("api_key:k1", 1200)
    assert subject_and_limit({**key, "rate_limit_per_window": 7}, config) == ("api_key:k1", 7)


def gateway(amqp_uri: str, **config):
    return create_app({"AMQP_URI": amqp_uri, "TOKEN_JWKS": TEST_TOKEN_KEY.jwks, "ACCESS_STATE_CHECK": False,
                       "TESTING": True, "RPC_TIMEOUT": 2, **config}).test_client()


def bearer(user_id: str) -> dict:
    token = TEST_TOKEN_KEY.token({"sub": user_id, "lic": "l1", "role": "user", "email": "u@x.test"})
    return {"Authorization": f"Bearer {token}"}


def before_a_window_ends(window: int, margin: float = 30.0):
    """Wait, if need be, for a fresh window of the gateway's real clock: a test's requests (each one a 503 or a
    504 after a wait, no services here) must all fall in one window, or the count starts again midway."""
    into = time.time() % window
    if window - into < margin:
        time.sleep(window - into + 0.1)


def test_the_gateway_answers_with_headers_then_a_429_problem(rabbit_config):
    hour = 3600
    client = gateway(rabbit_config["AMQP_URI"], RATE_LIMIT_USER_PER_WINDOW=2, RATE_LIMIT_WINDOW_SECONDS=hour)
    before_a_window_ends(hour)
    # the answer itself does not matter (no services here: a 503 or 504), the headers do
    first = client.get("/api/v1/customers", headers=bearer("u1"))
    assert first.headers["RateLimit-Limit"] == "2" and first.headers["RateLimit-Remaining"] == "1"
    assert 0 < int(first.headers["RateLimit-Reset"]) <= hour
    client.get("/api/v1/customers", headers=bearer("u1"))
    refused = client.get("/api/v1/customers", headers=bearer("u1"))
    assert refused.status_code == 429 and refused.mimetype == "application/problem+json"
    assert refused.json["code"] == "rate_limited" and refused.json["status"] == 429
    assert refused.headers["Retry-After"] == refused.headers["RateLimit-Reset"]
    assert refused.headers["RateLimit-Remaining"] == "0"
    other = client.get("/api/v1/customers", headers=bearer("u2"))
    assert other.status_code != 429 and other.headers["RateLimit-Remaining"] == "1"
    public = client.get("/healthz")
    assert "RateLimit-Limit" not in public.headers


def test_a_limit_of_zero_turns_the_feature_off(rabbit_config):
    client = gateway(rabbit_config["AMQP_URI"], RATE_LIMIT_USER_PER_WINDOW=0)
    assert "RateLimit-Limit" not in client.get("/api/v1/customers", headers=bearer("u1")).headers


def test_the_cost_of_one_check(make_limiter):
    """Not a benchmark: the order of magnitude, reported by -s (one round trip to a local broker)."""
    limiter = make_limiter()
    limiter.check("user:l1:warm", 10_000)
    started = time.perf_counter()
    for _ in range(200):
        limiter.check("user:l1:cost", 10_000)
    mean_us = (time.perf_counter() - started) / 200 * 1e6
    print(f"rate limit check: {mean_us:.0f} us per request")
    assert mean_us < 50_000
