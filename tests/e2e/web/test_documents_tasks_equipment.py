"""What was API-only on a quote's documents and tasks and a customer's equipment base, driven as a salesperson
in a real headless Chromium: a document renamed and moved to another folder (an emptied name is refused next
to its field), hidden from and shown on the customer portal, another one deleted once asked (naming it); a task
deleted once asked (the home page's tasks due keep the other one); an equipment item edited (a warranty ending
before the installation is refused next to its field), retired then put back in service, another one deleted
once asked. Each step is checked through the API too."""
from __future__ import annotations

import base64
from datetime import datetime, timezone

import pytest

from tests.e2e.web.browsing import by_id, css, fill, ok
from tests.e2e.web.test_admin_area import navigate, notice

pytestmark = [pytest.mark.integration, pytest.mark.e2e, pytest.mark.browser]


def said(browser) -> str:
    """The page's notices, with French typography's no-break spaces as plain spaces."""
    return notice(browser).replace("\u00a0", " ")


def history(browser) -> list[str]:
    return [li.text.replace("\u00a0", " ") for li in css(browser, "#history-list li")]


def set_date(browser, field_id: str, iso_day: str):
    browser.execute_script("arguments[0].value = arguments[1]", by_id(browser, field_id), iso_day)


@pytest.fixture
def bakery(web_system, staff):
    """As the salesperson: a bakery with its contact and its equipment base (an oven, a kneader), and a quote for
    it with two documents (a plan in the folder Plans, shown on the portal; a draft not shown) and two tasks due
    today for me."""
    s, token = web_system.s, staff.sales["access_token"]
    customer = ok(s.post("/api/v1/customers", token=token, json={
        "name": "Boulangerie Martin", "kind": "company",
        "contacts": [{"first_name": "Claire", "last_name": "Martin", "email": "claire@boulangerie.test"}]}))
    quote = ok(s.post("/api/v1/quotes", token=token, json={
        "title": "Four à pain", "contact_id": customer["contacts"][0]["id"],
        "lines": [{"description": "Four à sole", "quantity": "1", "unit_price": "9000", "tax_rate": "20"}]}))

    def attach(filename, folder, portal_visible):
        return ok(s.post(f"/api/v1/contracts/{quote['id']}/attachments", token=token, json={
            "filename": filename, "content_type": "text/plain", "folder": folder, "portal_visible": portal_visible,
            "content_base64": base64.b64encode(f"Contenu de {filename}".encode()).decode()}))

    today = datetime.now(timezone.utc).date().isoformat()
    me = staff.sales["user"]["user_id"]
    return {"token": token, "customer": customer, "quote": quote,
            "plan": attach("plan.txt", "Plans", True), "draft": attach("brouillon.txt", "", False),
            "tasks": {title: ok(s.post(f"/api/v1/contracts/{quote['id']}/tasks", token=token, json={
                "title": title, "due_date": today, "assignee_id": me}))["id"]
                for title in ("Rappeler Claire", "Préparer la livraison")},
            "oven": ok(s.post(f"/api/v1/customers/{customer['id']}/equipment", token=token, json={
                "description": "Four à sole", "product_code": "FS-200", "installed_on": "2026-01-10"})),
            "kneader": ok(s.post(f"/api/v1/customers/{customer['id']}/equipment", token=token, json={
                "description": "Pétrin", "serial_number": "PT-77"}))}


def test_a_salesperson_manages_documents_tasks_and_equipment(web_system, staff, bakery, browser, sign_in, screenshot):
    w, s, token = web_system, web_system.s, bakery["token"]
    quote, plan, draft = bakery["quote"], bakery["plan"], bakery["draft"]

    def attachments() -> dict:
        return {a["id"]: a for a in ok(s.get(f"/api/v1/contracts/{quote['id']}", token=token))["attachments"]}

    # -- a document renamed and moved; an emptied name is said next to its field, the form open again -------------
    sign_in(browser, staff.email["sales"], next_path=f"/contracts/{quote['id']}")
    row = f"attachment-{plan['id']}"
    assert by_id(browser, f"{row}-portal").text.startswith("Masquer du portail client")
    by_id(browser, f"{row}-edit").click()
    fill(browser, {f"{row}-filename": ""})
    navigate(browser, f"{row}-edit-save")
    assert by_id(browser, f"{row}-filename-error").text
    assert by_id(browser, f"{row}-filename").is_displayed()  # the row's form came back open
    assert attachments()[plan["id"]]["filename"] == "plan.txt"
    fill(browser, {f"{row}-filename": "plan-fournil.txt", f"{row}-folder": "Installation"})
    # the header's action stays the page's one filled button (UI.md): the row's save is outlined
    assert "secondary" in by_id(browser, f"{row}-edit-save").get_attribute("class")
    screenshot(browser, "contract-document-edit")
    navigate(browser, f"{row}-edit-save")
    assert "Le document plan-fournil.txt est enregistré." in said(browser)
    assert "plan-fournil.txt" in by_id(browser, row).text and "Installation" in by_id(browser, row).text
    assert {k: attachments()[plan["id"]][k] for k in ("filename", "folder")} == {
        "filename": "plan-fournil.txt", "folder": "Installation"}

    # -- hidden from the portal, then the draft shown on it ---------------------------------------------------------
    navigate(browser, f"{row}-portal")
    assert "Le document plan-fournil.txt est masqué du portail client." in said(browser)
    assert "visible sur le portail client" not in by_id(browser, row).text
    assert by_id(browser, f"{row}-portal").text.startswith("Afficher sur le portail client")
    assert attachments()[plan["id"]]["portal_visible"] is False
    navigate(browser, f"attachment-{draft['id']}-portal")
    assert "visible sur le portail client" in by_id(browser, f"attachment-{draft['id']}").text
    assert attachments()[draft["id"]]["portal_visible"] is True

    # -- the draft deleted, once asked naming it ----------------------------------------------------------------
    by_id(browser, f"attachment-{draft['id']}-delete-ask").click()
    assert "Supprimer le document brouillon.txt ?" in css(
        browser, f"#attachment-{draft['id']} .confirm-box p")[0].text.replace("\u00a0", " ")
    screenshot(browser, "contract-document-delete-asked")
    navigate(browser, f"attachment-{draft['id']}-delete")
    assert "Le document brouillon.txt est supprimé." in said(browser)
    assert [li.get_attribute("data-attachment") for li in css(browser, "#document-list > li")] == ["plan-fournil.txt"]
    assert list(attachments()) == [plan["id"]]
    assert "Document supprimé : brouillon.txt" in history(browser)[0]
    # a change names the file, and says when it was hidden from or shown on the portal
    assert "Document modifié : plan-fournil.txt (masqué du portail client)" in history(browser)[2]
    assert "Document modifié : plan-fournil.txt" in history(browser)[3]

    # -- a task deleted, once asked naming it -------------------------------------------------------------------
    call_back = bakery["tasks"]["Rappeler Claire"]
    by_id(browser, f"task-{call_back}-delete-ask").click()
    assert "Supprimer la tâche Rappeler Claire ?" in css(
        browser, '#task-list li[data-task="Rappeler Claire"] .confirm-box p')[0].text.replace("\u00a0", " ")
    screenshot(browser, "contract-task-delete-asked")
    navigate(browser, f"task-{call_back}-delete")
    assert "La tâche Rappeler Claire est supprimée." in said(browser)
    assert [li.get_attribute("data-task") for li in css(browser, "#task-list > li")] == ["Préparer la livraison"]
    assert [t["title"] for t in ok(s.get(f"/api/v1/contracts/{quote['id']}", token=token))["tasks"]] == [
        "Préparer la livraison"]
    assert "Tâche supprimée : Rappeler Claire" in history(browser)[0]
    # the home page's tasks due: the other one, still marked done from there
    browser.get(w.url + "/")
    assert [tr.get_attribute("data-task") for tr in css(browser, "#tasks-due tbody tr")] == ["Préparer la livraison"]
    navigate(browser, f"task-{bakery['tasks']['Préparer la livraison']}-state")
    assert not css(browser, "#tasks-due tbody tr")
    assert ok(s.get("/api/v1/tasks?assignee=me", token=token))["items"] == []

    # -- an equipment item edited; a warranty ending before the installation is said next to its field -----------
    customer, oven, kneader = bakery["customer"], bakery["oven"], bakery["kneader"]

    def item(equipment_id):
        base = ok(s.get(f"/api/v1/customers/{customer['id']}/equipment", token=token))["items"]
        return next((e for e in base if e["id"] == equipment_id), None)

    browser.get(f"{w.url}/customers/{customer['id']}?tab=equipment")
    assert by_id(browser, "add-equipment").text == "Ajouter un équipement"  # an item is "un équipement"
    navigate(browser, f"edit-equipment-{oven['id']}")
    assert by_id(browser, "equipment-edit-heading").text == "Modifier Four à sole"
    assert by_id(browser, "equipment-edit-quantity").get_attribute("value") == "1"
    fill(browser, {"equipment-edit-serial-number": "FS-2027-0042", "equipment-edit-quantity": "2",
                   "equipment-edit-notes": "Installé dans le fournil."})
    set_date(browser, "equipment-edit-warranty-until", "2025-12-31")
    navigate(browser, "equipment-edit-submit")
    assert by_id(browser, "equipment-edit-warranty-until-error").text == \
        "La garantie ne peut pas se terminer avant l'installation."
    assert by_id(browser, "equipment-edit-serial-number").get_attribute("value") == "FS-2027-0042"  # kept as typed
    assert item(oven["id"])["serial_number"] is None
    screenshot(browser, "customer-equipment-edit-refused")
    set_date(browser, "equipment-edit-warranty-until", "2028-01-10")
    navigate(browser, "equipment-edit-submit")
    assert "L'équipement Four à sole est enregistré." in said(browser)
    assert by_id(browser, f"equipment-{oven['id']}-saved").text  # in its row, where the page lands
    saved = item(oven["id"])
    assert {k: saved[k] for k in ("serial_number", "quantity", "warranty_until", "installed_on", "notes",
                                  "product_code")} == {
        "serial_number": "FS-2027-0042", "quantity": "2.000", "warranty_until": "2028-01-10",
        "installed_on": "2026-01-10", "notes": "Installé dans le fournil.", "product_code": "FS-200"}
    assert "FS-2027-0042" in by_id(browser, f"equipment-{oven['id']}").text

    # -- retired, then put back in service ----------------------------------------------------------------------
    navigate(browser, f"edit-equipment-{oven['id']}")
    screenshot(browser, "customer-equipment-edit")
    navigate(browser, "equipment-retire")
    assert "L'équipement Four à sole est retiré du service." in said(browser)
    assert "Retiré" in by_id(browser, f"equipment-{oven['id']}").text
    assert (item(oven["id"])["status"], item(oven["id"])["under_warranty"]) == ("retired", False)
    # no longer under warranty (the help under the form): its end date is not shown as running
    ended = css(browser, f"#equipment-{oven['id']} .warranty-ended")[0].text.replace("\u00a0", " ")
    assert ended == "10 janv. 2028 · terminée au retrait"
    assert "Sous garantie" not in by_id(browser, f"equipment-{oven['id']}").text
    navigate(browser, f"edit-equipment-{oven['id']}")
    navigate(browser, "equipment-reinstate")
    assert "L'équipement Four à sole est remis en service." in said(browser)
    assert (item(oven["id"])["status"], item(oven["id"])["under_warranty"]) == ("in_service", True)
    navigate(browser, f"edit-equipment-{oven['id']}")
    navigate(browser, "equipment-retire")
    assert item(oven["id"])["status"] == "retired"

    # -- the kneader deleted, once asked naming it --------------------------------------------------------------
    navigate(browser, f"edit-equipment-{kneader['id']}")
    by_id(browser, "equipment-delete-ask").click()
    assert "Supprimer Pétrin (PT-77) du parc matériel ?" in css(
        browser, "#equipment-end-of-life .confirm-box p")[0].text.replace("\u00a0", " ")
    screenshot(browser, "customer-equipment-delete-asked")
    navigate(browser, "equipment-delete")
    assert "L'équipement Pétrin (PT-77) est supprimé du parc." in said(browser)
    assert [tr.get_attribute("data-equipment") for tr in css(browser, "#equipment tbody tr")] == ["FS-2027-0042"]
    assert item(kneader["id"]) is None
    screenshot(browser, "customer-equipment-after")
