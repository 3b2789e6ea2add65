"""``/settings/erp-sync`` (the ERP user sync, Sage 100 -> Paraph by email) and the home page's "tasks due"
and "recently viewed online", driven as a person would in headless Chromium against the real services."""
import re
import uuid
from datetime import date, timedelta
from pathlib import Path

import pytest

from tests.e2e.web.browsing import by_id, css, text_of

pytestmark = [pytest.mark.integration, pytest.mark.e2e, pytest.mark.browser]

# Paul (paul@acme.test) already has an account: linked; Anne is new: created; row 3 has no email: an error; row 4
# repeats Paul's email: an error too, in the step that imports it as in the preview of the whole export
EXPORT = ("Code;Nom;Prénom;E-mail\nV01;Martin;Paul;PAUL@acme.test\nV02;Durand;Anne;anne@acme.test\nV03;Sans;Mail;\n"
          "V04;Martin;Paul;paul@acme.test\n")



def rows(browser, table_id):
    return [row.text for row in browser.find_elements("css selector", f"#{table_id} tbody tr")]


def test_erp_sync_preview_run_in_chunks_and_result(web_system, staff, browser, sign_in, screenshot, tmp_path,
                                                    monkeypatch):
    from paraph_web.pages import settings_erp
    monkeypatch.setattr(settings_erp, "CHUNK_ROWS", 1)  # four steps: the progress page posts them by itself
    w, s = web_system, web_system.s
    export = Path(tmp_path) / "collaborateurs.csv"
    export.write_bytes(EXPORT.encode("cp1252"))  # as Sage 100 writes it (Windows-1252)

    sign_in(browser, staff.email["admin"], next_path="/settings/erp-sync")
    screenshot(browser, "erp-sync-upload")
    by_id(browser, "field-export").send_keys(str(export))
    by_id(browser, "erp-preview-submit").click()
    w.wait(lambda: browser.find_elements("id", "erp-preview"), message="the preview")
    counts = {k: by_id(browser, f"count-{k}").text for k in ("linked", "to-create", "to-check", "errors")}
    assert counts == {"linked": "1", "to-create": "1", "to-check": "1", "errors": "2"}
    assert "paul@acme.test" in rows(browser, "erp-linked")[0]
    assert "anne@acme.test" in rows(browser, "erp-to-create")[0] and "Anne Durand" in rows(browser, "erp-to-create")[0]
    assert "boss@acme.test" in rows(browser, "erp-to-check")[0]
    assert rows(browser, "erp-errors")[0].startswith("3")
    screenshot(browser, "erp-sync-preview")
    users = s.get("/api/v1/users", token=staff.admin["access_token"]).get_json()["items"]
    assert "anne@acme.test" not in [u["email"] for u in users]  # the preview changed nothing

    by_id(browser, "erp-run-submit").click()
    w.wait(lambda: browser.find_elements("id", "erp-result"), message="the result after four steps")
    assert [by_id(browser, f"result-{k}").text for k in ("created", "linked", "errors")] == ["1", "1", "2"]
    error_rows = rows(browser, "erp-result-errors")
    assert [row.split()[:2] for row in error_rows] == [["3", "V03"], ["4", "V04"]], error_rows
    assert error_rows[1].endswith("Même email qu'à la ligne 1")
    assert "boss@acme.test" in rows(browser, "erp-result-to-check")[0]
    screenshot(browser, "erp-sync-result")

    users = {u["email"]: u for u in s.get("/api/v1/users", token=staff.admin["access_token"]).get_json()["items"]}
    assert (users["anne@acme.test"]["status"], users["anne@acme.test"]["erp_code"]) == ("invited", "V02")
    assert users["anne@acme.test"]["name"] == "Anne Durand"
    assert users["paul@acme.test"]["erp_code"] == "V01"  # not V04: the repeated email was refused
    # the admin checks it where they manage Paul: his page says the collaborator code the sync linked him to
    browser.get(f"{w.url}/settings/users/{users['paul@acme.test']['user_id']}")
    assert by_id(browser, "user-erp-code").text == "V01"
    screenshot(browser, "erp-sync-linked-user")
    browser.get(f"{w.url}/settings/users/{users['boss@acme.test']['user_id']}")  # not in the export: no code said
    assert by_id(browser, "user-email").text == "boss@acme.test" and not css(browser, "#user-erp-code")

    # without JavaScript the same run is a "Continue" button per chunk, with the progress on the page
    import requests
    web = requests.Session()
    page = web.post(w.url + "/sign-in", data={"email": staff.email["admin"], "password": w.password,
                                              "csrf_token": _csrf(web.get(w.url + "/sign-in").text)})
    page = web.post(w.url + "/settings/erp-sync/run", data={"content": EXPORT, "csrf_token": _csrf(page.text)})
    assert page.status_code == 200 and 'id="erp-progress"' in page.text and 'value="1" max="4"' in page.text
    assert "1 sur 4" in page.text
    # a large export (more than Flask's 500 kB form field default) still goes through, a chunk a step
    large = "Code;E-mail\n" + "".join(f"B{n:05d};collaborateur-{n:05d}@acme.test\n" for n in range(15000))
    page = web.post(w.url + "/settings/erp-sync/run", data={"content": large, "csrf_token": _csrf(page.text)})
    assert page.status_code == 200 and "1 sur 15" in page.text


def test_a_refused_export_and_a_refused_invitation_are_said_in_french(web_system, browser, sign_in, screenshot,
                                                                       tmp_path):
    """identity's English refusals on the French page: the whole export (no code column, not a CSV text), and an
    import row whose invitation is refused (no seat left: the admin takes one of two)."""
    w, s = web_system, web_system.s
    s.new_license("Duo SARL", "gerant@duo.test", seats=2)
    sign_in(browser, "gerant@duo.test", next_path="/settings/erp-sync")

    def upload(name, content: bytes):
        path = Path(tmp_path) / name
        path.write_bytes(content)
        by_id(browser, "field-export").send_keys(str(path))
        by_id(browser, "erp-preview-submit").click()

    def refusal():  # (Selenium gives the no-break spaces as spaces)
        return text_of(browser, "field-export-error")

    upload("sans-code.csv", "Nom;E-mail\nMartin;paul@duo.test\n".encode("cp1252"))
    w.wait(refusal, message="the refusal of an export without code column")
    assert refusal() == ("L'export CSV doit commencer par une ligne d'en-tête avec au moins les colonnes "
                         "« code » et « email ».")
    screenshot(browser, "erp-sync-upload-refused")
    upload("collaborateurs.xlsx", b"PK\x03\x04\x14\x00\x06\x00\x08\x00\x00\x00!\x00" + bytes(range(256)))
    w.wait(lambda: refusal() and "CSV en texte" in refusal(), message="the refusal of a spreadsheet")
    assert refusal().startswith("Ce fichier n'est pas un export CSV en texte")

    upload("collaborateurs.csv", "Code;E-mail\nD1;un@duo.test\nD2;deux@duo.test\n".encode("cp1252"))
    w.wait(lambda: browser.find_elements("id", "erp-preview"), message="the preview")
    by_id(browser, "erp-run-submit").click()
    w.wait(lambda: browser.find_elements("id", "erp-result"), message="the result")
    assert rows(browser, "erp-result-errors") == [
        "2 D2 Non invité. Plus aucune licence libre (2 sur 2 utilisées, Duo SARL utilise 2 licences). "
        "Désactivez un utilisateur ou ajoutez des licences à l'abonnement."]
    # the ERP's code has one name on these screens (the headers' words)
    assert [th.get_attribute("textContent").strip() for th in css(browser, "#erp-result-errors th")] == [
        "Ligne", "Code collaborateur", "Erreur"]
    screenshot(browser, "erp-sync-result-no-seat")


def _csrf(html):
    import re
    return re.search(r'name="csrf_token" value="([^"]+)"', html).group(1)


def test_home_shows_my_tasks_due_and_quotes_viewed_online(web_system, staff, browser, sign_in, screenshot):
    w, s = web_system, web_system.s
    token = staff.sales["access_token"]
    customer = s.post("/api/v1/customers", json={"name": "Hervé David", "kind": "company"}, token=token).get_json()
    quote = s.post("/api/v1/quotes", json={"title": "Équipement atelier", "customer_id": customer["id"]},
                   token=token).get_json()
    today = date.today()
    for title, due in (("Relancer Hervé David", today - timedelta(days=1)), ("Préparer la démo", today),
                       ("Plus tard", today + timedelta(days=10))):
        r = s.post(f"/api/v1/contracts/{quote['id']}/tasks", token=token, json={
            "title": title, "due_date": due.isoformat(), "assignee_id": staff.sales["user"]["user_id"]})
        assert r.status_code == 201, r.get_json()
    _quote_viewed_online(s, quote, s.get("/api/v1/me", token=token).get_json()["license_id"])
    w.wait(lambda: s.get(f"/api/v1/contracts/{quote['id']}", token=token).get_json()["view_count"] == 1,
           message="the online view recorded")

    sign_in(browser, staff.email["sales"])
    tasks = rows(browser, "tasks-due")
    assert len(tasks) == 2  # due today or overdue, not the one of next week
    assert "Relancer Hervé David" in tasks[0] and "En retard" in tasks[0]
    assert "Préparer la démo" in tasks[1] and "Pour aujourd'hui" in tasks[1]
    # an overdue task says since when; today's, its badge alone
    assert re.search(r"\d{1,2} \S+ \d{4}", tasks[0]) and not re.search(r"\d{1,2} \S+ \d{4}", tasks[1])
    viewed = rows(browser, "recently-viewed")
    assert len(viewed) == 1 and quote["number"] in viewed[0]
    screenshot(browser, "home-tasks-due")


def _quote_viewed_online(s, quote, license_id):
    """What the portal publishes when the customer opens the quote's link."""
    from kombu import Connection, Exchange, Producer
    from paraph_platform.envelope import make_event
    event = make_event("portal", "quote.viewed.v1", {"contract_id": quote["id"], "contact_id": None,
                                                     "at": "2026-01-01T00:00:00+00:00", "ip": "203.0.113.7",
                                                     "request_id": str(uuid.uuid4())}, license_id=license_id)
    with Connection(s.containers["contracts"].config["AMQP_URI"]) as conn:
        producer = Producer(conn.channel(), exchange=Exchange("portal.events", type="topic", durable=True),
                            serializer="json")
        producer.publish(event, routing_key="quote.viewed.v1", declare=[producer.exchange])
