"""Bulk send through the gateway: one uploaded PDF sent to many recipients from a CSV or a JSON list. The
API answers 202 at once with the job; the signing service creates the requests in the background (a few
at a time) while the job's progress grows; bad rows are reported and the others still go; a cancelled job
stops; a bad document, a CSV without an email column or too many rows is a 422 at once; the same
Idempotency-Key gives the same job."""
import base64
import time
from urllib.parse import quote

import pytest

from signing_service import testing as esign

pytestmark = [pytest.mark.integration, pytest.mark.e2e]

BAD_ROWS = {2: "not-an-email", 5: ""}  # row 2: a bad email; row 5: no name


def _csv(count: int) -> str:
    """A `;` separated CSV (a BOM first, as spreadsheets write it) of ``count`` rows, rows 2 and 5 bad."""
    lines = ["\ufeffName;Email;Phone"]
    for row in range(1, count + 1):
        name, email = f"Client {row}", f"client{row}@bulk.test"
        if row == 2:
            email = BAD_ROWS[2]
        if row == 5:
            name = BAD_ROWS[5]
        lines.append(f"{name};{email};")
    return "\n".join(lines) + "\n"


def _document(content: bytes | None = None) -> dict:
    return {"filename": "welcome.pdf", "content_base64": base64.b64encode(content or esign.pdf_file()).decode()}


def _finished(s, token, job_id, timeout=120):
    def done():
        body = s.get(f"/api/v1/signature-requests/bulk/{job_id}", token=token).get_json()
        return body if body["status"] in ("completed", "cancelled") else None
    return s.wait_for(done, timeout=timeout, message="the bulk send to finish")


def test_csv_bulk_send_creates_a_request_per_good_row(system, mail_sink):
    s = system("identity", "perimeter", "contracts", "signing", "notify", service_config={"notify": {
        "SMTP_URL": mail_sink.smtp_url, "MAIL_FROM": "Paraph <no-reply@paraph.test>"}})
    admin = s.new_license("Vendeur SA", "admin@vendeur.test")
    sales = s.add_user(admin, "sales@vendeur.test", name="Sam Sales")["access_token"]
    body = {"title": "Welcome pack", "message": "Bienvenue !", "document": _document(), "csv": _csv(30)}
    key = {"Idempotency-Key": "bulk-welcome-1"}

    r = s.post("/api/v1/signature-requests/bulk", token=sales, json=body, headers=key)
    assert r.status_code == 202, r.get_json()
    job = r.get_json()
    # answered before any row was sent: the rows are the timer's
    assert job["status"] == "queued" and job["total"] == 30 and job["created"] == 0 and job["request_ids"] == []
    assert [e["row"] for e in job["errors"]] == [2, 5] and job["failed"] == 2
    assert r.headers["Location"].endswith(f"/api/v1/signature-requests/bulk/{job['id']}")
    # the same key again: the same job, not a second one
    again = s.post("/api/v1/signature-requests/bulk", token=sales, json=body, headers=key)
    assert again.status_code == 202 and again.get_json()["id"] == job["id"]

    done = _finished(s, sales, job["id"])
    assert done["status"] == "completed" and done["finished_at"]
    assert (done["created"], done["failed"], len(done["request_ids"])) == (28, 2, 28)
    assert len(set(done["request_ids"])) == 28
    errors = {e["row"]: e for e in done["errors"]}
    assert set(errors) == {2, 5}
    assert "not-an-email" in errors[2]["message"] and errors[5]["email"] == "client5@bulk.test"
    assert (errors[2]["reason"], errors[5]["reason"]) == ("bad_email", "missing_name")
    assert "name" in errors[5]["message"].lower()

    # every good row's signer got their own request by email
    good = {f"client{row}@bulk.test" for row in range(1, 31) if row not in BAD_ROWS}
    def invited():
        sent = [m for m in mail_sink.messages() if "bulk.test" in str(m["to"])]
        return sent if len(sent) >= len(good) else None
    mails = s.wait_for(invited, timeout=120, message="the 28 signing links by email")
    for email in good:
        assert sum(email in str(m["to"]) for m in mails) == 1, email
    one = s.get(f"/api/v1/signature-requests/{done['request_ids'][0]}", token=sales).get_json()
    assert one["contract_title"] == "Welcome pack" and one["message"] == "Bienvenue !"
    assert [p["email"] for p in one["participants"]] == ["client1@bulk.test"]

    listed = s.get("/api/v1/signature-requests/bulk", token=sales).get_json()["items"]
    assert [j["id"] for j in listed] == [job["id"]] and len(s.get(
        "/api/v1/signature-requests?kind=document", token=sales).get_json()["items"]) >= 20
    [event] = [e["data"] for e in esign.events(s, "bulk_send.completed.v1")]
    assert event == {**event, "bulk_send_id": job["id"], "created": 28, "failed": 2, "total": 30}
    # a finished job cannot be cancelled
    assert s.post(f"/api/v1/signature-requests/bulk/{job['id']}/cancel", token=sales).status_code == 409


def test_json_bulk_send_cancel_and_refusals(system):
    s = system("identity", "perimeter", "contracts", "signing",
               service_config={"signing": {"BULK_SEND_CONCURRENCY": 1}})
    admin = s.new_license("Vendeur SA", "admin@vendeur.test")
    sales = s.add_user(admin, "sales@vendeur.test", name="Sam Sales")["access_token"]
    other = s.add_user(admin, "other@vendeur.test", name="Olga Other")["access_token"]
    recipients = [{"name": f"Client {i}", "email": f"c{i}@bulk.test", "locale": "en"} for i in range(1, 61)]

    r = s.post("/api/v1/signature-requests/bulk", token=sales, json={
        "title": "Terms", "document": _document(), "recipients": recipients})
    assert r.status_code == 202, r.get_json()
    job = r.get_json()
    assert job["total"] == 60 and job["errors"] == []
    # another salesperson does not see it; the admin does
    assert s.get(f"/api/v1/signature-requests/bulk/{job['id']}", token=other).status_code == 404
    assert s.get(f"/api/v1/signature-requests/bulk/{job['id']}", token=admin["access_token"]).status_code == 200

    s.wait_for(lambda: s.get(f"/api/v1/signature-requests/bulk/{job['id']}", token=sales)
               .get_json()["created"] >= 1, timeout=60, message="the first rows to be sent")
    r = s.post(f"/api/v1/signature-requests/bulk/{job['id']}/cancel", token=sales)
    assert r.status_code == 200 and r.get_json()["status"] == "cancelled"
    _finished(s, sales, job["id"])
    time.sleep(3)  # the rows done or under way when it was cancelled are recorded, then nothing more starts
    final = s.get(f"/api/v1/signature-requests/bulk/{job['id']}", token=sales).get_json()
    assert final["status"] == "cancelled" and 1 <= final["created"] < 60
    assert len(final["request_ids"]) == final["created"]
    time.sleep(3)
    assert s.get(f"/api/v1/signature-requests/bulk/{job['id']}", token=sales).get_json()["created"] == \
        final["created"]
    assert s.post(f"/api/v1/signature-requests/bulk/{job['id']}/cancel", token=sales).get_json()["status"] == \
        "cancelled"

    # refused at once, nothing stored
    def refused(body, field):
        r = s.post("/api/v1/signature-requests/bulk", token=sales, json=body)
        assert r.status_code == 422, (r.status_code, r.get_json())
        assert field in (r.get_json().get("errors") or {}), r.get_json()
        return r.get_json()
    encrypted = refused({"title": "T", "document": _document(esign.pdf_file(encrypt=True)),
                         "recipients": recipients[:2]}, "document")
    assert encrypted["reason"] == "encrypted"
    refused({"title": "T", "document": _document(), "csv": "name;mail\nA;a@b.test\n"}, "csv")
    refused({"title": "T", "document": _document(),
             "recipients": [{"name": f"N{i}", "email": f"n{i}@bulk.test"} for i in range(1001)]}, "recipients")
    big_csv = "name,email\n" + "".join(f"N{i},n{i}@bulk.test\n" for i in range(1001))
    refused({"title": "T", "document": _document(), "csv": big_csv}, "recipients")
    refused({"title": "T", "recipients": recipients[:1]}, "document")
    listed = s.get("/api/v1/signature-requests/bulk", token=sales).get_json()["items"]
    assert [j["id"] for j in listed] == [job["id"]]

    # listed a page at a time, newest first, by cursor (the web app's pages)
    r = s.post("/api/v1/signature-requests/bulk", token=sales, json={
        "title": "Terms 2", "document": _document(), "recipients": recipients[:1]})
    assert r.status_code == 202, r.get_json()
    first = s.get("/api/v1/signature-requests/bulk?limit=1", token=sales).get_json()
    assert [j["id"] for j in first["items"]] == [r.get_json()["id"]] and first["next_cursor"]
    last = s.get(f"/api/v1/signature-requests/bulk?limit=1&cursor={quote(first['next_cursor'])}", token=sales)
    assert [j["id"] for j in last.get_json()["items"]] == [job["id"]] and last.get_json()["next_cursor"] is None
    assert s.get("/api/v1/signature-requests/bulk?offset=10001", token=sales).status_code == 422


def test_contract_type_bulk_send_creates_a_contract_per_customer(system):
    s = system("identity", "perimeter", "contracts", "signing")
    admin = s.new_license("Vendeur SA", "admin@vendeur.test")
    token = admin["access_token"]
    kind = s.post("/api/v1/contract-types", token=token, json={
        "name": "Maintenance", "template_html": "<h1>Contrat de maintenance</h1><p>{{ customer.name }}</p>"})
    assert kind.status_code == 201, kind.get_json()
    customers = [s.post("/api/v1/customers", token=token, json={"name": f"Client {i} SARL"}).get_json()["id"]
                 for i in range(1, 4)]
    rows = "name,email,customer_id\n" + "".join(
        f"Signataire {i},signataire{i}@client.test,{cid}\n" for i, cid in enumerate(customers, start=1)) + \
        "Sans client,sans-client@client.test,\n"
    # a type the license does not have (unknown, or another license's) is refused at once, nothing stored
    other = s.new_license("Autre SA", "admin@autre.test")["access_token"]
    foreign = s.post("/api/v1/contract-types", token=other, json={"name": "Maintenance", "template_html": "<p>x</p>"})
    assert foreign.status_code == 201, foreign.get_json()
    for type_id in ("no-such-type", foreign.get_json()["id"]):
        r = s.post("/api/v1/signature-requests/bulk", token=token, json={
            "title": "Maintenance 2027", "contract_type_id": type_id, "csv": rows})
        assert r.status_code == 404 and r.content_type == "application/problem+json", (r.status_code, r.get_json())
    assert s.get("/api/v1/signature-requests/bulk", token=token).get_json()["items"] == []

    r = s.post("/api/v1/signature-requests/bulk", token=token, json={
        "title": "Maintenance 2027", "contract_type_id": kind.get_json()["id"], "csv": rows})
    assert r.status_code == 202, r.get_json()
    job = r.get_json()
    assert job["kind"] == "contract_type" and job["total"] == 4
    assert [(e["row"], "customer_id" in e["message"]) for e in job["errors"]] == [(4, True)]

    done = _finished(s, token, job["id"])
    assert (done["status"], done["created"], done["failed"]) == ("completed", 3, 1), done
    for created, customer in zip(done["requests"], customers):
        req = s.get(f"/api/v1/signature-requests/{created['request_id']}", token=token).get_json()
        contract = s.get(f"/api/v1/contracts/{req['contract_id']}", token=token).get_json()
        assert contract["customer_id"] == customer and contract["title"] == "Maintenance 2027"
        assert [p["email"] for p in req["participants"]] == [created["email"]]


def test_a_killed_services_job_is_resumed_by_a_replica_without_duplicates(system, start_service):
    """The signing service dies in the middle of a job (no cleanup: the job stays claimed, a row may be
    committed without its progress written); another replica takes the job over once the lease ended and sends
    the rest, the rows already done answered again under their keys instead of being created twice."""
    timing = {"BULK_SEND_CONCURRENCY": 2, "BULK_SEND_LEASE_SECONDS": 3}
    s = system("identity", "perimeter", "contracts", "signing", service_config={"signing": timing})
    admin = s.new_license("Vendeur SA", "admin@vendeur.test")
    token = admin["access_token"]
    recipients = [{"name": f"Client {i}", "email": f"r{i}@bulk.test"} for i in range(1, 21)]
    job = s.post("/api/v1/signature-requests/bulk", token=token, json={
        "title": "Terms", "document": _document(), "recipients": recipients}).get_json()
    s.wait_for(lambda: s.get(f"/api/v1/signature-requests/bulk/{job['id']}", token=token)
               .get_json()["created"] >= 2, timeout=60, message="the first rows to be sent")
    s.containers["signing"].kill()  # a crash mid-job
    s.containers["signing"] = start_service("signing", db_url=s.db_url("signing"), **timing)

    done = _finished(s, token, job["id"])
    assert (done["status"], done["created"], done["failed"]) == ("completed", 20, 0), done
    assert len(set(done["request_ids"])) == 20
    count = esign._rows(s, "select count(*) from signature_requests")[0][0]
    assert count == 20  # one request per row, none twice
