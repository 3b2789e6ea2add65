"""The contract page's status moves and the tasks marked done, driven as a salesperson and as a license admin
in a real headless Chromium: a quote sent by email, marked accepted (the history says so), converted into an
order that is confirmed then delivered (and then offers to record what was bought in the equipment base);
another quote refused once asked (a move someone else made impossible meanwhile is said on the page); a task
marked done and to do again on the contract page, then done from the home page, where it leaves the tasks
due. Validating an accepted quote is the admin's move only. Each step is checked through the API too."""
from __future__ import annotations

from datetime import datetime, timezone

import pytest

from tests.e2e.web.browsing import by_id, css, filled_buttons, ok, text_of
from tests.e2e.web.test_admin_area import navigate, notice

pytestmark = [pytest.mark.integration, pytest.mark.e2e, pytest.mark.browser]
EXTRA_SERVICES = ("portal",)  # sending a quote by email (its link to the online quote)


def open_moves(browser):
    """Unfold the contract page's "Change the status manually" (folded under the totals), when it is there."""
    for section in css(browser, "#status-moves"):
        if section.get_attribute("open") is None:
            by_id(browser, "status-moves-open").click()


def moves(browser) -> list[str]:
    """The status buttons of the contract page, in their order (ids status-<status>, -ask when asked once),
    unfolded to be clicked."""
    open_moves(browser)
    return [element.get_attribute("id") for element in
            css(browser, "#status-moves-list > form button, #status-moves-list > details > summary")]


def history(browser) -> list[str]:
    """The history entries, newest first."""
    return [li.text.replace("\xa0", " ") for li in css(browser, "#history-list li")]


def open_tasks(s, token) -> list[str]:
    return [t["title"] for t in ok(s.get("/api/v1/tasks?assignee=me", token=token))["items"]]


@pytest.fixture
def desk(web_system, staff, request):
    """As the role the test is run as: a bakery with its contact, a draft quote for an oven with two tasks due
    today for me on it, and a quote for a display case already sent."""
    s, session = web_system.s, getattr(staff, request.param)
    token = session["access_token"]
    bakery = ok(s.post("/api/v1/customers", token=token, json={
        "name": "Boulangerie Martin", "kind": "company",
        "contacts": [{"first_name": "Claire", "last_name": "Martin", "email": "claire@boulangerie.test"}]}))
    contact = bakery["contacts"][0]
    oven = ok(s.post("/api/v1/quotes", token=token, json={"title": "Four à pain", "contact_id": contact["id"], "lines": [
        {"description": "Four à sole", "quantity": "1", "unit_price": "9000", "tax_rate": "20"},
        {"description": "Pétrin", "quantity": "2", "unit_price": "1500", "tax_rate": "20"}]}))
    case = ok(s.post("/api/v1/quotes", token=token, json={"title": "Vitrine réfrigérée", "contact_id": contact["id"],
                                                          "lines": [{"description": "Vitrine", "quantity": "1",
                                                                     "unit_price": "4000", "tax_rate": "20"}]}))
    ok(s.post(f"/api/v1/contracts/{case['id']}/mark-sent", token=token, json={}))
    today = datetime.now(timezone.utc).date().isoformat()
    tasks = {title: ok(s.post(f"/api/v1/contracts/{oven['id']}/tasks", token=token, json={
        "title": title, "due_date": today, "assignee_id": session["user"]["user_id"]}))["id"]
        for title in ("Rappeler Claire", "Préparer la livraison")}
    return {"role": request.param, "email": staff.email[request.param], "token": token, "oven": oven, "case": case,
            "tasks": tasks}


@pytest.mark.parametrize("desk", ["sales", "admin"], indirect=True)
def test_status_moves_and_tasks_done_from_the_pages(web_system, desk, browser, sign_in, screenshot):
    w, s, token, role = web_system, web_system.s, desk["token"], desk["role"]
    oven, case = desk["oven"], desk["case"]

    def status(contract_id: str) -> str:
        return ok(s.get(f"/api/v1/contracts/{contract_id}", token=token))["status"]

    # -- the oven quote: a draft can only be abandoned by hand; it is sent by email -------------------------
    sign_in(browser, desk["email"], next_path=f"/contracts/{oven['id']}")
    # changing the status by hand is the exception: folded under the totals, not beside the sale's next step
    section = by_id(browser, "status-moves")
    assert section.get_attribute("open") is None and not by_id(browser, "status-abandoned-ask").is_displayed()
    assert section.location["y"] > by_id(browser, "contract-totals").location["y"]
    assert moves(browser) == ["status-abandoned-ask"]
    navigate(browser, "send-by-email")
    if css(browser, "#field-request_signature") and by_id(browser, "field-request_signature").is_selected():
        by_id(browser, "field-request_signature").click()
    navigate(browser, "send-submit")
    assert "claire@boulangerie.test" in notice(browser)
    assert by_id(browser, "contract-status").text == "Envoyé"
    # sent: accepted, refused, abandoned (those two asked once), or back to draft
    assert moves(browser) == ["status-accepted", "status-draft", "status-refused-ask", "status-abandoned-ask"]
    assert [by_id(browser, f"status-{name}").text for name in ("accepted", "draft", "refused-ask")] == [
        "Marquer comme accepté", "Repasser en brouillon", "Marquer comme refusé"]
    screenshot(browser, f"contract-status-moves-{role}")

    # -- marked accepted: the status, the banner, the history; validating is a manager's move ------------------
    navigate(browser, "status-accepted")
    assert "Le statut est modifié." in notice(browser)
    assert by_id(browser, "contract-status").text == "Accepté"
    assert "Accepté hors de Paraph (statut modifié à la main)." in by_id(browser, "signature-banner").text
    assert "Statut modifié : Envoyé → Accepté" in history(browser)[0]
    assert status(oven["id"]) == "accepted"
    # validating is a manager's move: then the header's one filled button, not folded with the exceptions
    assert moves(browser) == []
    assert [b.text for b in css(browser, "#contract-actions #status-validated")] == (
        ["Valider"] if role == "admin" else [])
    # (the salesperson's next step, its order: the filled button; outlined beside a manager's "Valider")
    assert filled_buttons(browser) == (["Valider"] if role == "admin" else ["Créer une commande"])
    screenshot(browser, f"quote-accepted-{role}")
    assert [h["details"]["to_status"] for h in ok(s.get(f"/api/v1/contracts/{oven['id']}/history", token=token))
            if h["action"] == "status_changed"] == ["sent", "accepted"]

    # -- the tasks on the quote: one done, then to do again, then done ---------------------------------------
    call_back, delivery = desk["tasks"]["Rappeler Claire"], desk["tasks"]["Préparer la livraison"]
    # each button names its task for a screen reader (hidden text): "Marquer comme fait : Rappeler Claire"
    assert by_id(browser, f"task-{call_back}-state").text.startswith("Marquer comme fait")
    navigate(browser, f"task-{call_back}-state")
    assert css(browser, '#task-list li[data-task="Rappeler Claire"] .badge')[0].text == "Fait"
    assert open_tasks(s, token) == ["Préparer la livraison"]
    assert "Tâche modifiée : Rappeler Claire" in history(browser)[0]
    assert by_id(browser, f"task-{call_back}-state").text.startswith("Remettre à faire")
    navigate(browser, f"task-{call_back}-state")
    assert css(browser, '#task-list li[data-task="Rappeler Claire"] .badge')[0].text == "À faire"
    assert sorted(open_tasks(s, token)) == ["Préparer la livraison", "Rappeler Claire"]

    # -- converted into an order: confirmed, then delivered; then what was bought can be recorded -------------
    navigate(browser, "convert-order")  # the header's: the quote's next step
    w.wait(lambda: text_of(browser, "page-title").startswith("Commande"), message="the order")
    order_id = browser.current_url.split("/contracts/")[1].split("#")[0]
    # confirming, then delivering, is the order's next step: the header's filled button, not folded with cancelling
    assert filled_buttons(browser) == ["Confirmer la commande"] and moves(browser) == ["status-cancelled-ask"]
    assert by_id(browser, "status-cancelled-ask").text == "Annuler la commande"
    assert css(browser, "#equipment-not-yet") and not css(browser, "#equipment-submit")
    navigate(browser, "status-confirmed")
    # an order is feminine in French (la commande): its status agrees
    assert by_id(browser, "contract-status").text == "Confirmée" and status(order_id) == "confirmed"
    assert filled_buttons(browser) == ["Marquer comme livrée"] and moves(browser) == ["status-cancelled-ask"]
    screenshot(browser, f"order-status-moves-{role}")
    navigate(browser, "status-delivered")
    assert by_id(browser, "contract-status").text == "Livrée" and status(order_id) == "delivered"
    assert not css(browser, "#status-moves")  # delivered: nothing more to do by hand
    assert by_id(browser, "equipment-submit").text == "Enregistrer dans le parc matériel"
    assert "Statut modifié : Confirmée → Livrée" in history(browser)[0]
    # the same word in the orders' list: its badge and the status filter
    number = text_of(browser, "page-title").split()[-1]
    browser.get(f"{w.url}/contracts?kind=order")
    assert css(browser, f"tr[data-number='{number}'] .badge")[0].text == "Livrée"
    assert [o.text for o in css(browser, "#filter-status option")] == [
        "Tous les statuts", "Brouillon", "Confirmée", "Livrée", "Annulée"]

    if role == "admin":  # the accepted quote validated by a manager
        browser.get(f"{w.url}/contracts/{oven['id']}")
        navigate(browser, "status-validated")
        assert by_id(browser, "contract-status").text == "Validé" and status(oven["id"]) == "validated"
        assert moves(browser) == [] and not css(browser, "#status-validated")

    # -- the display case: a refusal asked once; a move made impossible meanwhile is said on the page ----------
    browser.get(f"{w.url}/contracts/{case['id']}")
    ok(s.post(f"/api/v1/contracts/{case['id']}/status", token=token, json={"status": "draft"}))  # someone else
    open_moves(browser)
    by_id(browser, "status-refused-ask").click()
    assert by_id(browser, "status-refused").text == "Oui, marquer comme refusé"
    assert f"Marquer {case['number']} comme refusé ?" in css(browser, "#status-moves .confirm-box p")[0].text.replace(
        "\xa0", " ")
    navigate(browser, "status-refused")
    assert "le statut a changé entre-temps" in notice(browser)  # said on the page, not an error page
    assert by_id(browser, "contract-status").text == "Brouillon"
    assert status(case["id"]) == "draft"
    ok(s.post(f"/api/v1/contracts/{case['id']}/mark-sent", token=token, json={}))
    browser.get(f"{w.url}/contracts/{case['id']}")
    open_moves(browser)
    by_id(browser, "status-refused-ask").click()
    screenshot(browser, f"quote-refusal-asked-{role}")
    navigate(browser, "status-refused")
    assert by_id(browser, "contract-status").text == "Refusé" and status(case["id"]) == "refused"
    assert moves(browser) == ["status-draft"]
    assert "Statut modifié : Envoyé → Refusé" in history(browser)[0]

    # -- the home page: the tasks due today, one marked done there leaves the list ---------------------------
    browser.get(w.url + "/")
    rows = [tr.get_attribute("data-task") for tr in css(browser, "#tasks-due tbody tr")]
    assert sorted(rows) == ["Préparer la livraison", "Rappeler Claire"]
    screenshot(browser, f"home-tasks-{role}")
    navigate(browser, f"task-{delivery}-state")
    assert [tr.get_attribute("data-task") for tr in css(browser, "#tasks-due tbody tr")] == ["Rappeler Claire"]
    assert open_tasks(s, token) == ["Rappeler Claire"]
    done = ok(s.get("/api/v1/tasks?assignee=me&done=true", token=token))["items"]
    assert [t["title"] for t in done] == ["Préparer la livraison"]
