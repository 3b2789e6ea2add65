"""Offline signing (SELL&SIGN tablet mode): a package taken online, signatures collected without network,
then synchronised: idempotent by client id, document hash checked, conflicts reported per item."""
from datetime import datetime, timedelta, timezone

import pytest

from signing_service import testing as esign

pytestmark = pytest.mark.integration


@pytest.fixture
def world(shared_world):
    """One system for the module; each test has its own license."""
    return shared_world


def item(req, participant, client_id, **extra):
    return {"client_id": client_id, "request_id": req["id"], "participant_id": participant["id"],
            "document_sha256": req["document"]["sha256"],
            "signed_at": (datetime.now(timezone.utc) - timedelta(minutes=7)).isoformat(),
            "consent": True, "signature_image": esign.signature_png(), "typed_name": participant["name"], **extra}


def sync(world, items, device="tablet-42", token=None):
    r = world.s.post("/api/v1/offline/sync", json={"device_id": device, "items": items},
                     token=token or world.sales_token)
    assert r.status_code == 200, r.get_json()
    return r.get_json()


def test_package_then_idempotent_sync_and_sealing(world):
    s = world.s
    req = world.create([{"contact_id": world.jeanne["id"]}, {"contact_id": world.paul["id"]}])
    r = s.get(f"/api/v1/offline/requests/{req['id']}/package?device_id=tablet-42", token=world.sales_token)
    assert r.status_code == 200, r.get_json()
    pkg = r.get_json()
    assert pkg["document"]["sha256"] == req["document"]["sha256"]
    import base64
    import hashlib
    assert hashlib.sha256(base64.b64decode(pkg["document"]["content_base64"])).hexdigest() == pkg["document"]["sha256"]
    jeanne, paul = pkg["participants"]
    consent = pkg["consent"]["signer"]["sha256"]
    # both sign face to face, in order, synchronised in one batch
    batch = [item(req, jeanne, "dev-1", consent_sha256=consent,
                  geolocation={"latitude": 48.85, "longitude": 2.35, "accuracy_m": 12}),
             item(req, paul, "dev-2", consent_sha256=consent)]
    first = sync(world, batch)
    assert [x["status"] for x in first["items"]] == ["accepted", "accepted"], first
    assert first["summary"] == {"accepted": 2, "conflict": 0, "rejected": 0, "error": 0}
    # the same upload again: same answers, no second signature
    again = sync(world, batch)
    for a, b in zip(first["items"], again["items"]):
        assert b["replayed"] is True and {k: v for k, v in b.items() if k != "replayed"} == a
    detail = world.wait_status(req["id"], "completed")
    signed = [e for e in detail["evidence"] if e["action"] == "sign"]
    assert len(signed) == 2 and len(esign.events(s, "signer.signed.v1")) == 2
    ev = signed[0]
    assert ev["mode"] == "offline" and ev["device_id"] == "tablet-42"
    assert ev["authentication"]["method"] == "in_person"
    assert ev["authentication"]["attested_by"] == world.sales["user"]["user_id"]
    assert ev["client_signed_at"] < ev["at"]  # device clock vs server receipt
    assert ev["geolocation"]["latitude"] == 48.85 and ev["signature_image_sha256"]
    # a different signature under a used client id is refused, not applied
    changed = sync(world, [item(req, jeanne, "dev-1", typed_name="Someone else")])
    assert changed["items"][0]["code"] == "client_id_reused"
    # completion carries the device signing times
    done = esign.events(s, "signature.completed.v1")[0]["data"]
    assert [x["email"] for x in done["signers"]] == ["jeanne@client.test", "paul@client.test"]
    assert world.s.wait_for(lambda: world.contract_status(world.quote["id"]) == "accepted", timeout=20)


def test_conflicts_are_reported_per_item_never_a_500(world):
    s = world.s
    req = world.create([{"contact_id": world.jeanne["id"]}, {"contact_id": world.paul["id"]}],
                       approvers=[{"user_id": world.boss["user"]["user_id"]}])
    pkg = s.get(f"/api/v1/offline/requests/{req['id']}/package", token=world.sales_token).get_json()
    boss, jeanne, paul = pkg["participants"]
    stale = item(req, jeanne, "w-4", document_sha256="0" * 64)
    result = sync(world, [
        item(req, jeanne, "w-1"),                                          # approval pending: wrong order
        item(req, boss, "w-2"),                                            # approvers approve online
        item(req, {"id": "nobody", "name": "X"}, "w-3"),                   # unknown participant
        stale,                                                             # another document
        item({"id": "no-such-request", "document": req["document"]}, jeanne, "w-5"),
        item(req, jeanne, "w-6", consent=False),                           # no consent
        {"client_id": "w-7", "request_id": req["id"]},                     # malformed
        "not even an object",
        item(req, jeanne, "w-9", signature_image="data:image/png;base64,AAAA"),
        None,                                                              # a device's empty slot
    ])
    codes = [(x["client_id"], x["status"], x["code"]) for x in result["items"]]
    assert codes == [("w-1", "conflict", "wrong_order"), ("w-2", "conflict", "not_a_signer"),
                     ("w-3", "conflict", "unknown_participant"), ("w-4", "conflict", "document_changed"),
                     ("w-5", "conflict", "unknown_request"), ("w-6", "rejected", "consent_missing"),
                     ("w-7", "rejected", "invalid"), (None, "rejected", "invalid"), ("w-9", "rejected", "invalid"),
                     (None, "rejected", "invalid")]
    assert result["items"][-1]["errors"] == {"_schema": ["Invalid input type."]}
    assert result["items"][0]["retryable"] is True and result["items"][3]["retryable"] is False
    assert result["items"][3]["expected_sha256"] == req["document"]["sha256"]
    # the approver approves online; Jeanne's item (wrong order, not recorded) now goes through
    tok = esign.token(s, world.email["boss"])
    assert esign.approve_via_link(s, world.email["boss"]).status_code == 200, tok
    result = sync(world, [item(req, jeanne, "w-1")])
    assert result["items"][0]["status"] == "accepted", result
    device_signed_at = result["items"][0]["device_signed_at"]
    # the document hash conflict is final for its client id
    replay = sync(world, [stale])["items"][0]
    assert replay["code"] == "document_changed" and replay["replayed"] is True
    # already signed (offline or online) under another client id: when, as signer.signed.v1 says it (the
    # device's clock, 7 minutes before the upload), not when Paraph received it
    r = sync(world, [item(req, jeanne, "w-10")])["items"][0]
    assert r["code"] == "already_signed" and r["signed_at"] == device_signed_at, r
    assert [e["data"]["signed_at"] for e in esign.events(s, "signer.signed.v1")] == [device_signed_at]
    # Paul signs online meanwhile; the tablet's later upload conflicts
    assert esign.sign_via_link(s, "paul@client.test").status_code == 200
    r = sync(world, [item(req, paul, "w-11")])["items"][0]
    assert r["code"] in ("already_signed", "request_completed"), r
    # a whole batch that is not valid is a 422, not a 500
    r = s.post("/api/v1/offline/sync", json={"device_id": "t", "items": []}, token=world.sales_token)
    assert r.status_code == 422
    r = s.post("/api/v1/offline/sync", json={"items": [{}]}, token=world.sales_token)
    assert r.status_code == 422


def test_cancelled_expired_and_declined_requests(world):
    s = world.s
    req = world.create([{"contact_id": world.jeanne["id"]}, {"contact_id": world.paul["id"]}])
    pkg = s.get(f"/api/v1/offline/requests/{req['id']}/package", token=world.sales_token).get_json()
    jeanne, paul = pkg["participants"]
    tok = esign.token(s, "jeanne@client.test")
    assert s.post(f"/api/v1/sign/{tok}/decline", json={"reason": "non"}).status_code == 200
    r = sync(world, [item(req, jeanne, "x-1"), item(req, paul, "x-2")])
    assert [x["code"] for x in r["items"]] == ["request_declined", "request_declined"]
    # after a decline a new request (new document) can be made; the old package no longer fits
    s.post(f"/api/v1/contracts/{world.quote['id']}/status", json={"status": "draft"}, token=world.sales_token)
    s.patch(f"/api/v1/contracts/{world.quote['id']}", json={"title": "Installation v2"}, token=world.sales_token)
    new = world.create([{"contact_id": world.jeanne["id"]}])
    assert new["document"]["sha256"] != req["document"]["sha256"]
    new_jeanne = new["participants"][0]
    r = sync(world, [item(new, new_jeanne, "x-3", document_sha256=req["document"]["sha256"])])
    assert r["items"][0]["code"] == "document_changed"
    s.post(f"/api/v1/signature-requests/{new['id']}/cancel", json={}, token=world.sales_token)
    r = sync(world, [item(new, new_jeanne, "x-4")])
    assert (r["items"][0]["code"], r["items"][0]["detail"]) == ("request_cancelled",
                                                                "This signature request was cancelled.")
    r = s.get(f"/api/v1/offline/requests/{new['id']}/package", token=world.sales_token)
    assert r.status_code == 410 and r.get_json()["request_status"] == "cancelled"
    # the 409s of an ended request name its status alike (the problem's own `status` is the HTTP one)
    for path in (f"{req['id']}/cancel", f"{new['id']}/remind"):
        r = s.post(f"/api/v1/signature-requests/{path}", json={}, token=world.sales_token)
        assert (r.status_code, r.get_json()["status"]) == (409, 409), r.get_json()
    assert r.get_json()["request_status"] == "cancelled"
    r = s.post(f"/api/v1/signature-requests/{req['id']}/cancel", json={}, token=world.sales_token)
    assert r.get_json()["request_status"] == "declined"


def test_ended_requests_say_so_alike_on_package_and_sync(world):
    s = world.s
    req = world.create([{"contact_id": world.jeanne["id"]}], expires_in_days=5)
    jeanne = s.get(f"/api/v1/offline/requests/{req['id']}/package",
                   token=world.sales_token).get_json()["participants"][0]
    assert world.maintenance((datetime.now(timezone.utc) + timedelta(days=6)).isoformat())["expired"] == 1
    for _ in range(2):  # the same answer however often it is asked
        r = s.get(f"/api/v1/offline/requests/{req['id']}/package", token=world.sales_token)
        assert r.status_code == 410
        assert (r.get_json()["detail"], r.get_json()["request_status"]) == (
            "This signature request has expired.", "expired")
    got = sync(world, [item(req, jeanne, "e-1")])["items"][0]
    assert (got["code"], got["detail"]) == ("request_expired", "This signature request has expired.")


def test_the_api_reference_documents_each_item_of_a_sync(world):
    doc = world.s.get("/api/v1/openapi.json").get_json()
    body = doc["paths"]["/api/v1/offline/sync"]["post"]["requestBody"]["content"]["application/json"]["schema"]
    while "$ref" in body:
        body = doc["components"]["schemas"][body["$ref"].rsplit("/", 1)[1]]
    items = body["properties"]["items"]["items"]
    assert {"client_id", "request_id", "participant_id", "document_sha256", "signed_at", "consent",
            "consent_sha256", "signature_image", "typed_name", "device_id", "geolocation"} <= set(items["properties"])
    assert set(items["required"]) == {"client_id", "request_id", "participant_id", "document_sha256", "signed_at",
                                      "consent"}
