"""How a request moves, through the gateway: reminders at the request's (or the license's) cadence,
sequential or parallel turns, expiry on a date and the sender told, a decline's reason shown to the
sender, CC recipients sent the signed document, and handing a participant's turn to
someone else."""
from datetime import date, datetime, timedelta, timezone

import pytest

from signing_service import testing as esign

pytestmark = pytest.mark.integration


@pytest.fixture
def world(shared_world):
    """One system for the module; each test has its own license."""
    return shared_world


def later(**delta) -> str:
    return (datetime.now(timezone.utc) + timedelta(**delta)).isoformat()


def statuses(detail) -> list:
    return [(p["role"], p["name"], p["status"]) for p in detail["participants"]]


def test_reminders_follow_the_request_cadence_else_the_license_default(world):
    s = world.s
    req = world.create([{"contact_id": world.jeanne["id"]}], reminder_every_days=2, reminder_max=1)
    assert world.detail(req["id"])["reminders"] == {"every_days": 2, "interval_hours": 48.0, "max": 1}
    assert world.maintenance(later(days=1, hours=23))["reminded"] == 0
    assert world.maintenance(later(days=2, hours=1))["reminded"] == 1
    assert world.maintenance(later(days=4, hours=2))["reminded"] == 0  # at most one
    assert [n["to"] for n in esign.notifications(s, "signature_reminder")] == ["jeanne@client.test"]

    # a request without its own cadence takes the license's, fixed when it is sent
    r = s.patch("/api/v1/signing/settings", json={"reminder_every_days": 5, "reminder_max": 2},
                token=world.admin["access_token"])
    assert r.status_code == 200, r.get_json()
    other = world.create([{"contact_id": world.paul["id"]}], contract_id=world.new_quote()["id"])
    assert world.detail(other["id"])["reminders"] == {"every_days": 5, "interval_hours": 120.0, "max": 2}
    assert world.maintenance(later(days=4, hours=23))["reminded"] == 0
    assert world.maintenance(later(days=5, hours=1))["reminded"] == 1
    assert world.maintenance(later(days=10, hours=2))["reminded"] == 1
    assert world.maintenance(later(days=15, hours=3))["reminded"] == 0
    assert [n["to"] for n in esign.notifications(s, "signature_reminder", "paul@client.test")] == \
        ["paul@client.test"] * 2

    # the service's default (SIGNATURE_REMINDER_AFTER_HOURS: 72) once the license has none
    s.patch("/api/v1/signing/settings", json={"reminder_every_days": None, "reminder_max": None},
            token=world.admin["access_token"])
    third = world.create([{"contact_id": world.jeanne["id"]}], contract_id=world.new_quote()["id"],
                         reminder_max=0)
    assert world.detail(third["id"])["reminders"] == {"every_days": None, "interval_hours": 72.0, "max": 0}
    for bad in ({"reminder_every_days": 0}, {"reminder_every_days": 61}, {"reminder_max": 21},
                {"reminder_every_days": "x"}):
        world.create([{"contact_id": world.jeanne["id"]}], expect=422, **bad)


def test_sequential_and_parallel_turns_approvers_first(world):
    s = world.s
    boss, other = world.boss["user"]["user_id"], world.other["user"]["user_id"]
    seq = world.create([{"contact_id": world.jeanne["id"]}, {"contact_id": world.paul["id"]}],
                       approvers=[{"user_id": boss}, {"user_id": other}])
    assert seq["signing_order"] == "sequential"
    assert statuses(seq) == [("approver", "Bea Boss", "pending"), ("approver", "Mme Durand", "waiting"),
                             ("signer", "Jeanne Dupont", "waiting"), ("signer", "Paul Martin", "waiting")]
    assert s.post(f"/api/v1/signature-requests/{seq['id']}/cancel", json={}, token=world.sales_token).status_code == 200

    par = world.create([{"contact_id": world.jeanne["id"]}, {"contact_id": world.paul["id"]}],
                       approvers=[{"user_id": boss}, {"user_id": other}], signing_order="parallel")
    assert par["signing_order"] == "parallel" and [p["order"] for p in par["participants"]] == [1, 1, 1, 1]
    # every approver at once; no signer before they all approved
    assert statuses(par) == [("approver", "Bea Boss", "pending"), ("approver", "Mme Durand", "pending"),
                             ("signer", "Jeanne Dupont", "waiting"), ("signer", "Paul Martin", "waiting")]
    assert esign.approve_via_link(s, world.email["boss"]).status_code == 200
    assert [p["status"] for p in world.detail(par["id"])["participants"]][2:] == ["waiting", "waiting"]
    assert esign.approve_via_link(s, world.email["durand"]).status_code == 200
    assert statuses(world.detail(par["id"]))[2:] == [("signer", "Jeanne Dupont", "pending"),
                                                     ("signer", "Paul Martin", "pending")]
    # either signer may sign first
    assert esign.sign_via_link(s, "paul@client.test").status_code == 200
    r = esign.sign_via_link(s, "jeanne@client.test")
    assert r.status_code == 200 and r.get_json()["request_status"] == "sealing", r.get_json()
    world.create([{"contact_id": world.jeanne["id"]}], contract_id=world.new_quote()["id"],
                 signing_order="random", expect=422)


def test_expiry_on_a_date_tells_the_sender(world):
    s = world.s
    last_day = date.today() + timedelta(days=3)
    quote = world.quote["id"]
    world.create([{"contact_id": world.jeanne["id"]}], expires_at=last_day.isoformat(), expires_in_days=3, expect=422)
    world.create([{"contact_id": world.jeanne["id"]}], expires_at=(date.today() - timedelta(days=1)).isoformat(),
                 expect=422)
    world.create([{"contact_id": world.jeanne["id"]}], expires_at="31/12/2030", expect=422)
    req = world.create([{"contact_id": world.jeanne["id"]}, {"contact_id": world.paul["id"]}],
                       expires_at=last_day.isoformat(), contract_id=quote)
    assert req["expires_at"] == f"{last_day + timedelta(days=1)}T00:00:00Z"  # the end of that day (UTC)
    assert world.maintenance(f"{last_day}T23:00:00+00:00")["expired"] == 0
    assert world.maintenance(f"{last_day + timedelta(days=1)}T00:30:00+00:00")["expired"] == 1
    detail = world.detail(req["id"])
    assert detail["status"] == "expired" and detail["end_reason"] == "expired" and detail["ended_at"]
    [told] = esign.notifications(s, "signature_expired")
    assert told["to"] == world.email["sales"] and told["vars"]["number"] == world.quote["number"]
    assert told["vars"]["waiting_for"] == ["Jeanne Dupont", "Paul Martin"]
    assert told["vars"]["link"].endswith(f"/contracts/{quote}")


def test_the_sender_sees_why_a_signer_declined(world):
    s = world.s
    req = world.create([{"contact_id": world.jeanne["id"]}])
    tok = esign.token(s, "jeanne@client.test")
    assert s.post(f"/api/v1/sign/{tok}/decline", json={"reason": "Le prix a changé"}).status_code == 200
    detail = world.detail(req["id"])
    jeanne = detail["participants"][0]
    assert detail["decline"] == {"participant_id": jeanne["id"], "role": "signer", "name": "Jeanne Dupont",
                                 "email": "jeanne@client.test", "reason": "Le prix a changé",
                                 "declined_at": jeanne["acted_at"]}
    assert jeanne["decline_reason"] == "Le prix a changé"
    [told] = esign.notifications(s, "signature_declined")
    assert told["to"] == world.email["sales"] and told["vars"]["reason"] == "Le prix a changé"
    assert told["vars"]["declined_by"] == "Jeanne Dupont" and told["vars"]["role"] == "signer"


def test_cc_recipients_get_the_signed_document(world):
    s = world.s
    too_many = [{"name": f"N{i}", "email": f"n{i}@cc.test"} for i in range(21)]
    for cc in (too_many, [{"name": "A", "email": "a@cc.test"}, {"name": "B", "email": "A@cc.test"}],
               [{"name": "A", "email": "not an email"}], [{"email": "a@cc.test"}]):
        world.create([{"contact_id": world.jeanne["id"]}], cc=cc, expect=422)
    req = world.create([{"contact_id": world.jeanne["id"]}],
                       cc=[{"name": "Compta Client", "email": "Compta@Client.test"}])
    assert req["cc"] == [{"name": "Compta Client", "email": "compta@client.test"}]
    assert world.detail(req["id"])["cc"] == req["cc"]
    assert not esign.notifications(s, "signature_cc")  # nothing before it is signed
    assert esign.sign_via_link(s, "jeanne@client.test").status_code == 200
    world.wait_status(req["id"], "completed", timeout=60)
    [copy] = esign.notifications(s, "signature_cc")
    assert copy["to"] == "compta@client.test" and copy["to_name"] == "Compta Client"
    assert [a["kind"] for a in copy["attachments"]] == ["signed_pdf"]  # the proof stays with the parties
    assert [x["name"] for x in copy["vars"]["signers"]] == ["Jeanne Dupont"] and "link" not in copy["vars"]
    assert world.detail(req["id"])["audit_trail"][-1]["type"] == "copies_sent"


def test_reassigning_a_participant_before_they_act(world):
    s = world.s
    req = world.create([{"contact_id": world.jeanne["id"]}, {"contact_id": world.paul["id"]}])
    jeanne, paul = req["participants"]
    old_token = esign.token(s, "jeanne@client.test")
    url = f"/api/v1/signature-requests/{req['id']}/participants/{jeanne['id']}/reassign"
    body = {"name": "Julie Roux", "email": "julie@client.test", "reason": "Jeanne est en congé"}
    assert s.post(url, json={**body, "reason": ""}, token=world.sales_token).status_code == 422
    assert s.post(url, json={k: v for k, v in body.items() if k != "reason"}, token=world.sales_token).status_code == 422
    assert s.post(url, json={**body, "email": "paul@client.test"}, token=world.sales_token).status_code == 422
    assert s.post(url, json=body, token=world.boss["access_token"]).status_code == 403  # sees it, not in charge
    assert s.post(url, json=body, token=world.other["access_token"]).status_code == 404  # does not see it
    missing = f"/api/v1/signature-requests/{req['id']}/participants/nobody/reassign"
    assert s.post(missing, json=body, token=world.sales_token).status_code == 404
    r = s.post(url, json=body, token=world.sales_token)
    assert r.status_code == 200, r.get_json()
    assert statuses(r.get_json()) == [("signer", "Julie Roux", "pending"), ("signer", "Paul Martin", "waiting")]
    julie = r.get_json()["participants"][0]
    # the old link is dead, the new person was asked at once
    assert s.get(f"/api/v1/sign/{old_token}").status_code == 410
    page = s.get(f"/sign/{old_token}")
    assert page.status_code == 410 and "Ce lien de signature n&#39;est pas valide" in page.get_data(as_text=True)
    assert s.post(f"/api/v1/sign/{old_token}/otp", json={}).status_code == 410
    assert s.post(f"/api/v1/sign/{old_token}/decline", json={"reason": "x"}).status_code == 410
    assert s.post(url, json=body, token=world.sales_token).status_code == 409  # already replaced
    [asked] = esign.notifications(s, "signature_request", "julie@client.test")
    assert asked["vars"]["link"] != esign.link(s, "jeanne@client.test")
    detail = world.detail(req["id"])
    [entry] = [a for a in detail["audit_trail"] if a["type"] == "participant_reassigned"]
    assert entry["actor"]["id"] == world.sales["user"]["user_id"]
    assert entry["data"]["from"]["email"] == "jeanne@client.test" and entry["data"]["to"]["email"] == "julie@client.test"
    assert entry["data"]["reason"] == "Jeanne est en congé" and detail["chain"]["valid"]
    assert [(x["name"], x["replaced_by"]) for x in detail["reassigned"]] == [("Jeanne Dupont", julie["id"])]
    [event] = esign.events(s, "signature.reassigned.v1")
    assert event["data"]["previous_participant_id"] == jeanne["id"] and event["data"]["participant_id"] == julie["id"]
    assert event["data"]["reason"] == "Jeanne est en congé" and event["data"]["reassigned_by"] == \
        world.sales["user"]["user_id"]

    # once signed, no more; a manager may hand over someone who is waiting, asked when their turn comes
    assert esign.sign_via_link(s, "julie@client.test").status_code == 200
    again = f"/api/v1/signature-requests/{req['id']}/participants/{julie['id']}/reassign"
    r = s.post(again, json={**body, "email": "autre@client.test"}, token=world.sales_token)
    assert r.status_code == 409 and r.get_json()["participant_status"] == "signed", r.get_json()
    paul_token = esign.token(s, "paul@client.test")
    r = s.post(f"/api/v1/signature-requests/{req['id']}/participants/{paul['id']}/reassign",
               json={"name": "Pierre Blanc", "email": "pierre@client.test", "phone": "+33 6 00 00 00 01",
                     "reason": "Paul a quitté la société"}, token=world.admin["access_token"])
    assert r.status_code == 200, r.get_json()
    assert statuses(r.get_json()) == [("signer", "Julie Roux", "signed"), ("signer", "Pierre Blanc", "pending")]
    assert s.get(f"/api/v1/sign/{paul_token}").status_code == 410
    r = esign.sign_via_link(s, "pierre@client.test")
    assert r.status_code == 200 and r.get_json()["request_status"] == "sealing", r.get_json()
    done = world.wait_status(req["id"], "completed", timeout=60)
    assert [p["name"] for p in done["participants"]] == ["Julie Roux", "Pierre Blanc"]
    assert [x["name"] for x in done["reassigned"]] == ["Jeanne Dupont", "Paul Martin"]
