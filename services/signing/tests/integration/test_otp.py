"""One-time codes: single use, replay refused, concurrent use of one code succeeds once, brute force
locked after 5 attempts, expiry, send rate limit, portal tasks need a code to sign."""
import threading

import pytest

from signing_service import testing as esign

pytestmark = pytest.mark.integration


@pytest.fixture
def world(shared_world):
    """One system for the module; each test has its own license (the one with other code settings makes its own)."""
    return shared_world


def _ready(world, email="jeanne@client.test", ttl=600):
    s = world.s
    tok = esign.token(s, email)
    info = s.get(f"/api/v1/sign/{tok}").get_json()
    r = s.post(f"/api/v1/sign/{tok}/otp", json={})
    assert r.status_code == 200, r.get_json()
    assert r.get_json()["destination"] == "j*****@client.test" and r.get_json()["expires_in"] == ttl
    return tok, info, esign.otp(s, email)


def test_a_code_is_single_use_and_a_replay_is_refused(world):
    s = world.s
    req = world.create([{"contact_id": world.jeanne["id"]}, {"contact_id": world.paul["id"]}])
    tok, info, code = _ready(world)
    body = {"otp": code, "consent": True, "consent_sha256": info["consent_sha256"]}
    r = s.post(f"/api/v1/sign/{tok}/sign", json=body)
    assert r.status_code == 200, r.get_json()
    replay = s.post(f"/api/v1/sign/{tok}/sign", json=body)
    assert replay.status_code == 409 and replay.mimetype == "application/problem+json"
    assert replay.get_json()["participant_status"] == "signed"
    # the code does not work for anybody else either: Paul's challenge is his own
    tok2 = esign.token(s, "paul@client.test")
    s.post(f"/api/v1/sign/{tok2}/otp", json={"channel": "email"})
    r = s.post(f"/api/v1/sign/{tok2}/sign", json={"otp": code, "consent": True})
    assert r.status_code == 422 or esign.otp(s, "paul@client.test") == code
    detail = world.detail(req["id"])
    assert [e["action"] for e in detail["evidence"]] == ["sign"]
    assert len(esign.events(s, "signer.signed.v1")) == 1


def test_two_concurrent_uses_of_the_same_code_exactly_one_succeeds(world):
    s = world.s
    req = world.create([{"contact_id": world.jeanne["id"]}])
    tok, info, code = _ready(world)
    body = {"otp": code, "consent": True, "consent_sha256": info["consent_sha256"]}
    barrier = threading.Barrier(3)
    results = []

    def attempt():
        barrier.wait()
        r = s.post(f"/api/v1/sign/{tok}/sign", json=body)
        results.append((r.status_code, r.get_json()))

    threads = [threading.Thread(target=attempt) for _ in range(3)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(30)
    codes = sorted(code for code, _ in results)
    assert codes == [200, 409, 409], results
    detail = world.wait_status(req["id"], "completed")
    assert len([e for e in detail["evidence"] if e["action"] == "sign"]) == 1
    assert detail["chain"]["valid"]
    assert len(esign.events(s, "signer.signed.v1")) == 1


def test_brute_force_is_locked_after_five_attempts(world):
    s = world.s
    req = world.create([{"contact_id": world.jeanne["id"]}])
    tok, info, code = _ready(world)
    wrong = f"{(int(code) + 1) % 1000000:06d}"
    lefts = []
    for _ in range(4):
        r = s.post(f"/api/v1/sign/{tok}/sign", json={"otp": wrong, "consent": True})
        assert r.status_code == 422, r.get_json()
        lefts.append(int(r.get_json()["attempts_left"]))  # nameko stringifies error details
    assert lefts == [4, 3, 2, 1]
    r = s.post(f"/api/v1/sign/{tok}/sign", json={"otp": wrong, "consent": True})
    assert r.status_code == 429 and r.get_json()["code_status"] == "locked"
    # even the right code is refused now
    r = s.post(f"/api/v1/sign/{tok}/sign", json={"otp": code, "consent": True})
    assert r.status_code == 429, r.get_json()
    # a new code works
    r = s.post(f"/api/v1/sign/{tok}/otp", json={})
    assert r.status_code == 200
    fresh = esign.otp(s, "jeanne@client.test")
    r = s.post(f"/api/v1/sign/{tok}/sign", json={"otp": fresh, "consent": True})
    assert r.status_code == 200, r.get_json()
    types = [a["type"] for a in world.detail(req["id"])["audit_trail"]]
    assert types.count("otp_failed") == 4 and types.count("otp_locked") == 1


def test_superseded_and_expired_codes_and_send_limit(make_world):
    world = make_world(service_config={"signing": {"OTP_TTL_SECONDS": 1, "OTP_SEND_LIMIT": 3}})
    s = world.s
    world.create([{"contact_id": world.jeanne["id"]}])
    tok, info, first = _ready(world, ttl=1)
    s.post(f"/api/v1/sign/{tok}/otp", json={})
    second = esign.otp(s, "jeanne@client.test")
    if first != second:  # the first code was replaced by the second
        r = s.post(f"/api/v1/sign/{tok}/sign", json={"otp": first, "consent": True})
        assert r.status_code == 422
    import time
    time.sleep(1.2)
    r = s.post(f"/api/v1/sign/{tok}/sign", json={"otp": second, "consent": True})
    assert r.status_code == 422 and r.get_json()["code_status"] == "expired", r.get_json()
    s.post(f"/api/v1/sign/{tok}/otp", json={})
    r = s.post(f"/api/v1/sign/{tok}/otp", json={})
    assert r.status_code == 429 and r.mimetype == "application/problem+json"


def test_signing_needs_consent_and_a_code(world):
    s = world.s
    world.create([{"contact_id": world.jeanne["id"]}])
    tok, info, code = _ready(world)
    r = s.post(f"/api/v1/sign/{tok}/sign", json={"otp": code})
    assert r.status_code == 422 and "consent" in r.get_json()["errors"]
    r = s.post(f"/api/v1/sign/{tok}/sign", json={"consent": True})
    assert r.status_code == 422 and "otp" in r.get_json()["errors"]
    r = s.post(f"/api/v1/sign/{tok}/sign", json={"otp": code, "consent": True, "consent_sha256": "0" * 64})
    assert r.status_code == 409
    r = s.post(f"/api/v1/sign/{tok}/sign", json={"otp": code, "consent": True, "signature_image": "data:image/svg+xml;base64,AAAA"})
    assert r.status_code == 422
    r = s.post(f"/api/v1/sign/{tok}/sign", json={"otp": code, "consent": "maybe"})
    assert r.status_code == 422
    r = s.post(f"/api/v1/sign/{tok}/sign", data="not json", headers={"Content-Type": "application/json"})
    assert r.status_code == 400
    # the code was not consumed by the refused attempts
    r = s.post(f"/api/v1/sign/{tok}/sign", json={"otp": code, "consent": True, "consent_sha256": info["consent_sha256"],
                                                 "signature_image": esign.signature_png()})
    assert r.status_code == 200, r.get_json()


def test_a_collaborator_signs_from_the_portal_tasks_with_a_code(world):
    s = world.s
    boss = world.boss
    req = world.create([{"user_id": boss["user"]["user_id"]}])
    tasks = s.get("/api/v1/me/signature-tasks", token=boss["access_token"]).get_json()
    assert len(tasks) == 1 and tasks[0]["action"] == "sign" and tasks[0]["sign_path"].startswith("/sign/")
    pid = tasks[0]["participant_id"]
    assert s.get("/api/v1/me/signature-tasks", token=world.sales_token).get_json() == []
    # without a code: 412, and a code is sent
    r = s.post(f"/api/v1/signature-tasks/{pid}/act", token=boss["access_token"], json={"action": "sign", "consent": True})
    assert r.status_code == 412 and r.get_json()["otp_required"] in (True, "True"), r.get_json()
    code = esign.otp(s, world.email["boss"])
    r = s.post(f"/api/v1/signature-tasks/{pid}/act", token=boss["access_token"],
               json={"action": "sign", "consent": True, "otp": code, "typed_name": "Bea Boss"},
               headers={"User-Agent": "PortalBrowser/1.0"})
    assert r.status_code == 200, r.get_json()
    detail = world.wait_status(req["id"], "completed")
    ev = detail["evidence"][0]
    assert ev["mode"] == "portal" and ev["authentication"]["otp_verified"]
    assert ev["authentication"]["session"]["user_id"] == boss["user"]["user_id"]
    assert ev["user_agent"] == "PortalBrowser/1.0"
    # somebody else cannot act on it
    r = s.post(f"/api/v1/signature-tasks/{pid}/act", token=world.sales_token, json={"action": "decline", "reason": "x"})
    assert r.status_code == 404
