"""Password guessing: failed sign-ins are throttled per account and per client address (sliding window,
429 + Retry-After), the answer never tells an existing account from an unknown one, and no response
carrying a token may be stored by a cache."""
import pytest

pytestmark = pytest.mark.integration

PROBLEM = "application/problem+json"
PASSWORD = "a long enough password"
FAILURES_PER_ADDRESS = 8  # lowered for the test (LOGIN_MAX_FAILURES_PER_ADDRESS, default 30)


@pytest.fixture
def office(system, monkeypatch):
    monkeypatch.setenv("LOGIN_MAX_FAILURES_PER_ADDRESS", str(FAILURES_PER_ADDRESS))
    s = system("identity")
    admin = s.new_license("Office SA", "admin@office.test")
    s.add_user(admin, "ursula@office.test")
    return s


def login(s, email, password="wrong password", ip="198.51.100.7"):
    return s.post("/api/v1/auth/login", json={"email": email, "password": password},
                  environ_base={"REMOTE_ADDR": ip})


def test_one_address_trying_many_accounts_is_throttled(office):
    s = office
    for i in range(FAILURES_PER_ADDRESS):
        assert login(s, f"guess{i}@office.test").status_code == 401
    r = login(s, "ursula@office.test", PASSWORD)  # even the right password, from this address
    assert r.status_code == 429 and r.mimetype == PROBLEM, r.get_json()
    assert 0 < int(r.headers["Retry-After"]) <= 900
    # another address is not affected
    assert login(s, "ursula@office.test", PASSWORD, ip="203.0.113.50").status_code == 200


def test_a_locked_account_and_an_unknown_one_get_the_same_answer(office):
    s = office
    answers = {}
    for email in ("ursula@office.test", "nobody@office.test"):
        first = [login(s, email, ip=f"192.0.2.{n}") for n in range(5)]  # spread over addresses
        assert {r.status_code for r in first} == {401}
        assert len({r.get_json()["detail"] for r in first}) == 1
        r = login(s, email, ip="192.0.2.99")
        answers[email] = r
    known, unknown = answers["ursula@office.test"], answers["nobody@office.test"]
    assert known.status_code == unknown.status_code == 429
    strip = lambda body: {k: v for k, v in body.items() if k not in ("request_id", "retry_after", "detail")}
    assert strip(known.get_json()) == strip(unknown.get_json())
    assert set(known.get_json()) == set(unknown.get_json()) and "locked_until" not in known.get_json()
    assert known.headers["Retry-After"] and unknown.headers["Retry-After"]


def test_token_responses_are_never_cached(office):
    s = office
    r = login(s, "ursula@office.test", PASSWORD)
    assert r.status_code == 200 and r.headers["Cache-Control"] == "no-store"
    r = s.post("/api/v1/auth/refresh", json={"refresh_token": r.get_json()["refresh_token"]})
    assert r.status_code == 200 and r.headers["Cache-Control"] == "no-store"
    assert login(s, "ursula@office.test").headers["Cache-Control"] == "no-store"  # errors too
