"""The license admin's settings pages driven as a person would, in headless Chromium against the real
services: webhooks (secret shown once, a test delivery to a real receiver, replay, disable / enable,
delete), email templates (edit, preview, reset), the abandon delay, custom columns and flags, the
notifications log — and every link of every email template landing on a working page."""
import re
from urllib.parse import urlsplit

import pytest

from tests.e2e.web.browsing import by_id, css, fill, on_a_phone, screens_down, stale, text_of

pytestmark = [pytest.mark.integration, pytest.mark.e2e, pytest.mark.browser]
# a webhook's deliveries and the notifications are in the same states, named the same way in both logs
DELIVERY_FILTERS = ["Tous", "En attente", "En cours d'envoi", "Envoyé", "Échoué"]


def test_webhook_secret_once_test_delivery_replay_and_delete(web_system, staff, browser, sign_in, screenshot,
                                                              webhook_receiver):
    receiver = webhook_receiver  # an integrator's endpoint (paraph_platform.testing)
    w = web_system
    sign_in(browser, staff.email["admin"], next_path="/settings/webhooks")
    assert css(browser, "#settings-section .empty-state")
    by_id(browser, "new-webhook").click()
    # no event chosen: said next to the events
    by_id(browser, "field-url").send_keys(receiver.url)
    by_id(browser, "create-webhook").click()
    w.wait(lambda: css(browser, "#event-types-error"), message="the events' error")
    assert by_id(browser, "event-types-error").text == "Choisissez au moins un événement."
    assert by_id(browser, "field-url").get_attribute("value") == receiver.url  # what was typed stays
    # each event says what it means in the page's language (the API describes them in English)
    assert "Un signataire a refusé de signer." in by_id(browser, "event-types").text
    css(browser, 'input[value="contract.sent.v1"]')[0].click()
    screenshot(browser, "settings-webhook-new")
    by_id(browser, "create-webhook").click()

    # the signing secret: shown once, with a copy button
    secret = w.wait(lambda: text_of(browser, "webhook-secret"), message="the secret")
    assert secret.startswith("whsec_") and by_id(browser, "copy-secret")
    screenshot(browser, "settings-webhook-secret")
    by_id(browser, "secret-done").click()
    w.wait(lambda: css(browser, "#send-test"), message="the webhook's page")
    assert secret not in browser.page_source and not css(browser, "#webhook-secret")

    # a test delivery reaches the receiver, signed, and is in the log
    by_id(browser, "send-test").click()
    w.wait(lambda: receiver.requests, message="the test delivery")
    [request] = receiver.requests
    assert request["headers"]["Paraph-Event-Type"] == "webhook.tested.v1"
    assert request["headers"]["Webhook-Signature"].startswith("v1,")

    def delivered(count):
        browser.refresh()
        rows = css(browser, "#deliveries tbody tr")
        return len(rows) == count and all("badge succeeded" in r.get_attribute("innerHTML") for r in rows)
    w.wait(lambda: delivered(1), message="the test delivery recorded as succeeded")
    # sent again: the same event (same Webhook-Id)
    css(browser, "#deliveries button.replay")[0].click()
    w.wait(lambda: delivered(2), message="the replay delivered")
    assert len({r["headers"]["Webhook-Id"] for r in receiver.requests}) == 1
    assert [a.text for a in css(browser, "nav.filters a")] == DELIVERY_FILTERS
    assert {b.text for b in css(browser, "#deliveries .badge")} == {"Envoyé"}
    screenshot(browser, "settings-webhook")

    # disabled, then enabled again (the "webhook disabled" email's way back)
    by_id(browser, "disable-webhook").click()
    w.wait(lambda: css(browser, "#webhook-status .badge.disabled"), message="disabled")
    assert by_id(browser, "disabled-reason") and not css(browser, "#send-test")
    by_id(browser, "enable-webhook").click()
    w.wait(lambda: css(browser, "#webhook-status .badge.active"), message="enabled again")

    browser.get(w.url + "/settings/webhooks")
    [row] = css(browser, "#webhooks tbody tr")
    assert receiver.url in row.text and "badge active" in row.get_attribute("innerHTML")
    screenshot(browser, "settings-webhooks")

    # deleting asks once, naming the endpoint
    row.find_element("tag name", "a").click()
    by_id(browser, "delete-webhook-ask").click()
    assert receiver.url in css(browser, "details.confirm[open] .confirm-box p")[0].text
    by_id(browser, "delete-webhook").click()
    w.wait(lambda: css(browser, "#settings-section .empty-state"), message="no webhook left")
    assert w.s.get("/api/v1/webhooks", token=staff.admin["access_token"]).get_json() == []


def test_email_template_abandon_delay_columns_flags_and_log(web_system, staff, browser, sign_in, screenshot):
    from selenium.webdriver.support.ui import Select
    w, s = web_system, web_system.s
    token = staff.admin["access_token"]
    # the company renamed, so that its name is not the templates' sample one (ACME Paris, the fixture's): the
    # preview signs with the admin's own company
    assert s.patch("/api/v1/license", json={"name": "Menuiserie Dubois"}, token=token).status_code == 200
    sign_in(browser, staff.email["admin"], next_path="/settings/email-templates")
    assert len(css(browser, "#email-templates tbody tr")) >= 14
    # every template is named in the page's language, its code only under its name
    titles = [row.find_element("css selector", "td").text.splitlines()
              for row in css(browser, "#email-templates tbody tr")]
    assert [t for t in titles if t[0] == t[-1]] == []
    assert titles[[t[-1] for t in titles].index("customer_self_updated")][0] == \
        "Coordonnées mises à jour par un client (au commercial)"
    # the languages named in the page's language, as everywhere else (not "English")
    assert [th.get_attribute("textContent").strip() for th in css(browser, "#email-templates thead th")][1:] == \
        ["Français", "Anglais"]
    # the settings menu: beside the section on a desktop; on a phone folded behind one line naming the section,
    # so that the section starts in the first screen
    assert not by_id(browser, "settings-menu-button").is_displayed()
    assert css(browser, ".settings-menu a[aria-current=page]")[0].text == "Modèles d'email"
    with on_a_phone(browser):  # "Modifier" and its "Par défaut" badge stay apart
        link = css(browser, "#template-quote_send a.edit-fr")[0]
        badge = link.find_element("xpath", "following-sibling::span[contains(@class, 'badge')]")
        assert badge.rect["x"] - (link.rect["x"] + link.rect["width"]) >= 6
        assert by_id(browser, "settings-menu-button").text == "Paramètres : Modèles d'email"
        assert not css(browser, ".settings-menu a")[0].is_displayed()
        assert screens_down(browser, by_id(browser, "settings-section")) < 0.4
        by_id(browser, "settings-menu-button").click()  # unfolded, every section is a tap away
        assert all(a.is_displayed() for a in css(browser, ".settings-menu a"))
    screenshot(browser, "settings-email-templates")

    # edit the English "quote sent" email: preview with sample data, save, then reset to the default
    css(browser, "#template-quote_send a.edit-en")[0].click()
    assert "{{ link }}" in by_id(browser, "template-variables").text
    assert "lien du devis en ligne" in by_id(browser, "template-variables").text  # described in the page's language
    # a date said as a salesperson writes it (not "ISO 8601"), and how to get it in the email
    assert "fin de validité : ajoutez |date après le nom pour l'écrire « 28 février 2030 »" in \
        by_id(browser, "template-variables").text
    assert "ISO" not in by_id(browser, "template-variables").text
    subject = by_id(browser, "field-subject")
    subject.clear()
    subject.send_keys("Your quote {{ number }} from {{ license_name }}")
    by_id(browser, "preview-template").click()
    w.wait(lambda: text_of(browser, "preview-subject") == "Your quote D-2025-0042 from Menuiserie Dubois",
           message="the preview, from the admin's own company")
    assert by_id(browser, "field-subject").get_attribute("value") == "Your quote {{ number }} from {{ license_name }}"
    # the HTML email as the customer sees it: its own styles apply (the page's policy lets style attributes in),
    # in a frame that runs no script, as tall as the email (no scrollbar of its own); the plain text is one click away
    frame = by_id(browser, "preview-html")
    assert frame.get_attribute("sandbox") == "allow-same-origin"
    w.wait(lambda: browser.execute_script(
        "const f = arguments[0]; return f.clientHeight >= f.contentDocument.documentElement.scrollHeight", frame),
        message="the preview's frame fitted to the email")
    browser.switch_to.frame(frame)
    try:
        assert "Hello Marie Curie" in browser.find_element("tag name", "body").text
        assert browser.find_element("tag name", "body").value_of_css_property("background-color") == \
            "rgba(243, 244, 246, 1)"  # the email layout's grey (#f3f4f6)
        button = browser.find_element("css selector", "a[href='https://paraph.example/d/abc123']")
        assert button.value_of_css_property("background-color") != "rgba(0, 0, 0, 0)"
    finally:
        browser.switch_to.default_content()
    assert not by_id(browser, "preview-text").is_displayed()
    by_id(browser, "preview-text-version").find_element("tag name", "summary").click()
    assert "Hello Marie Curie" in text_of(browser, "preview-text")
    screenshot(browser, "settings-email-template")
    text = by_id(browser, "field-text")
    text.send_keys("\n{{ no_such_variable }}")
    by_id(browser, "save-template").click()
    w.wait(lambda: "no_such_variable" in text_of(browser, "field-text-error"), message="the error next to the text")
    # in the page's language, as notify's other refusals (a syntax error names its line; selenium reads the
    # no-break space before the colon as a space)
    assert text_of(browser, "field-text-error").startswith("Variables inconnues : no_such_variable. Disponibles")
    text = by_id(browser, "field-text")
    text.clear()
    text.send_keys("Hello {{ name }}, here is your quote: {{ link }}")
    by_id(browser, "save-template").click()
    w.wait(lambda: css(browser, "p.notice.success"), message="template saved")
    saved = s.get("/api/v1/notification-templates/quote_send?locale=en", token=token).get_json()
    assert saved["customized"] and saved["subject"] == "Your quote {{ number }} from {{ license_name }}"
    saved_notice = css(browser, "p.notice.success")[0]
    by_id(browser, "reset-template-ask").click()
    by_id(browser, "reset-template").click()
    # the save's notice stays on the page until the reset's page replaces it: wait for the new page's notice
    w.wait(lambda: stale(saved_notice) and css(browser, "p.notice.success"), message="template reset")
    assert not s.get("/api/v1/notification-templates/quote_send?locale=en", token=token).get_json()["customized"]
    assert not css(browser, "#reset-template-ask")

    # the abandon delay: the default, a bad value refused next to the field, a good one saved
    browser.get(w.url + "/settings/abandon")
    field = by_id(browser, "field-abandon_delay_days")
    assert field.get_attribute("value") == "60"
    field.clear()
    field.send_keys("0")
    by_id(browser, "save-abandon").click()
    w.wait(lambda: text_of(browser, "field-abandon_delay_days-error"), message="the error next to the field")
    assert by_id(browser, "field-abandon_delay_days").get_attribute("value") == "0"  # what was typed, kept
    # the hint and the error write the bound alike, as French writes numbers
    said = [text_of(browser, f"field-abandon_delay_days-{part}").replace("\u202f", " ").replace("\u00a0", " ")
            for part in ("hint", "error")]
    assert all("3 650" in text for text in said), said
    screenshot(browser, "settings-abandon-error")
    field = by_id(browser, "field-abandon_delay_days")
    field.clear()
    field.send_keys("45")
    # the other defaults of new documents: their language, their currency, attachments shown on the portal
    Select(by_id(browser, "field-default_locale")).select_by_value("en")
    Select(by_id(browser, "field-currency")).select_by_visible_text("Dollar canadien (CAD)")
    by_id(browser, "field-portal_attachments_visible_by_default").click()
    # the time zone the emails write their times in: Paris for a new license, first of the zones offered, named
    # in the page's language and grouped (Europe, the French overseas territories, North America)
    zone = Select(by_id(browser, "field-time_zone"))
    assert zone.first_selected_option.get_attribute("value") == "Europe/Paris"
    assert zone.options[0].get_attribute("value") == "Europe/Paris" and zone.options[0].text == "Paris"
    groups = [g.get_attribute("label") for g in css(browser, "#field-time_zone optgroup")]
    assert groups == ["Europe", "Outre-mer français", "Amérique du Nord", "Autre"], groups
    offered = {o.get_attribute("value"): o.text for o in zone.options}
    assert (offered["Indian/Reunion"], offered["America/Martinique"], offered["Pacific/Noumea"],
            offered["America/Montreal"]) == ("La Réunion", "La Martinique", "La Nouvelle-Calédonie", "Montréal")
    assert "(heure de Paris)" in text_of(browser, "field-time_zone-hint")
    zone.select_by_value("America/Martinique")
    by_id(browser, "save-abandon").click()
    w.wait(lambda: css(browser, "p.notice.success"), message="defaults saved")
    assert by_id(browser, "field-abandon_delay_days").get_attribute("value") == "45"
    assert Select(by_id(browser, "field-currency")).first_selected_option.get_attribute("value") == "CAD"
    assert by_id(browser, "field-portal_attachments_visible_by_default").is_selected()
    assert Select(by_id(browser, "field-time_zone")).first_selected_option.text == "La Martinique"
    screenshot(browser, "settings-document-defaults")
    saved = s.get("/api/v1/license", token=token).get_json()["settings"]
    assert (saved["abandon_delay_days"], saved["default_locale"], saved["currency"]) == (45, "en", "CAD"), saved
    assert saved["portal_attachments_visible_by_default"] is True and saved["time_zone"] == "America/Martinique"
    # a zone set through the API that the page does not offer stays chosen, named by its key
    assert s.patch("/api/v1/license", json={"time_zone": "Asia/Tokyo"}, token=token).status_code == 200
    browser.refresh()
    assert Select(by_id(browser, "field-time_zone")).first_selected_option.get_attribute("value") == "Asia/Tokyo"
    # a quote for a customer without a language or currency of its own is in the license's
    customer = s.post("/api/v1/customers", json={"name": "Sans Devise SA"}, token=token).get_json()

    def new_quote_in_cad():
        quote = s.post("/api/v1/quotes", json={"title": "Defaults", "customer_id": customer["id"]}, token=token)
        body = quote.get_json()
        return body if (body["currency"], body["locale"]) == ("CAD", "en") else None
    w.wait(new_quote_in_cad, message="a new quote in the license's language and currency")
    # and the quote editor counts such a customer's new quote in it while it is made
    browser.get(f"{w.url}/quotes/new?customer_id={customer['id']}")
    assert css(browser, "input[name=currency]")[0].get_attribute("value") == "CAD"

    # a custom column and a flag
    browser.get(w.url + "/settings/columns")
    by_id(browser, "column-label").send_keys("Cost center")
    by_id(browser, "column-key").send_keys("cost_center")
    by_id(browser, "add-column").click()
    w.wait(lambda: "Cost center" in text_of(browser, "columns-table"), message="column added")
    by_id(browser, "column-label").send_keys("Again")
    by_id(browser, "column-key").send_keys("cost_center")
    by_id(browser, "add-column").click()
    w.wait(lambda: text_of(browser, "column-key-error"), message="the duplicate key, next to its field")
    assert text_of(browser, "column-key-error") == "Une autre colonne a déjà la clé cost_center."
    # a key written as a label, and a list without its choices: both said at once, in the page's language
    fill(browser, {"column-label": "Secteur", "column-key": "Secteur"})
    Select(by_id(browser, "column-type")).select_by_value("choice")
    by_id(browser, "add-column").click()
    w.wait(lambda: text_of(browser, "column-choices-error"), message="the missing choices, next to their field")
    assert text_of(browser, "column-choices-error") == "Indiquez les choix, séparés par des virgules."
    assert text_of(browser, "column-key-error") == \
        "Uniquement des lettres minuscules, des chiffres et _, par exemple prix_net."
    browser.get(w.url + "/settings/flags")  # the flags live on the same page
    by_id(browser, "flag-label").send_keys("Urgent")
    by_id(browser, "flag-key").send_keys("urgent")
    by_id(browser, "add-flag").click()
    w.wait(lambda: "Urgent" in text_of(browser, "flags-table"), message="flag added")
    [flag] = s.get("/api/v1/settings/flags", token=token).get_json()
    [column] = s.get("/api/v1/settings/columns", token=token).get_json()
    assert (flag["key"], column["key"], column["type"]) == ("urgent", "cost_center", "text")
    # the flag shown with a dot of its colour, not its colour's code
    shown = css(browser, "#flags-table .flag")[0]
    assert shown.text == "Urgent" and shown.find_element("css selector", "circle").get_attribute("fill") == \
        flag["color"]
    # edit the column's label
    css(browser, f"#column-{column['id']} summary")[0].click()
    label = by_id(browser, f"column-{column['id']}-label")
    label.clear()
    label.send_keys("Cost centre")
    css(browser, f"#column-{column['id']} .edit-box button")[0].click()
    w.wait(lambda: "Cost centre" in text_of(browser, "columns-table"), message="column renamed")
    screenshot(browser, "settings-columns")
    # delete the flag: asks once, naming it
    by_id(browser, f"flag-{flag['id']}-delete-ask").click()
    assert "Urgent" in css(browser, "details.confirm[open] .confirm-box p")[0].text
    by_id(browser, f"flag-{flag['id']}-delete").click()
    w.wait(lambda: not css(browser, "#flags-table"), message="flag deleted")
    assert s.get("/api/v1/settings/flags", token=token).get_json() == []

    # the notifications log: the staff's invitation emails, with their status
    w.wait(lambda: s.get("/api/v1/notifications?status=sent&count=true", token=token).get_json()["total"] >= 1,
           message="an email sent")
    browser.get(w.url + "/settings/notifications")
    rows = css(browser, "#notifications tbody tr")
    assert rows and any(staff.email["sales"] in r.text for r in rows)
    # which email, named as on the templates page (not its code, "invitation")
    assert any("EMAIL · Invitation d'un collègue" in r.text for r in rows), [r.text for r in rows]
    assert [a.text for a in css(browser, "nav.filters a")] == DELIVERY_FILTERS
    # a sent email: green, as a webhook's delivery (the API's "sent" is a delivery's "succeeded")
    assert ("badge succeeded", "Envoyé") in {(b.get_attribute("class"), b.text) for b in css(browser, ".badge")}
    screenshot(browser, "settings-notifications")


# the templates whose link is a client page (quote, signature, portal): served by the gateway's own
# pages (/q/, /sign/, /portal), followed at the public address by test_email_links_client.py (which runs
# signing, portal and the web app's gateway proxy); the other links must land on a staff page
CLIENT_LINK_TEMPLATES = {"client_invitation", "quote_send", "quote_reminder", "contract_shared",
                         "signature_request", "signature_reminder", "signature_completed"}
NO_LINK_TEMPLATES = {"signature_otp"}


def test_every_link_of_every_staff_email_lands_on_a_working_page(web_system, staff, browser, sign_in):
    w, s = web_system, web_system.s
    admin = staff.admin["access_token"]
    # real links of each kind, as the services send them: an invitation, a reset, a quote's page
    s.post("/api/v1/users", json={"email": "ann@acme.test", "name": "Ann Lee"}, token=admin)
    [invitation] = w.mail.wait_for_messages(to="ann@acme.test")
    s.post("/api/v1/auth/forgot-password", json={"email": staff.email["sales"]})
    w.wait(lambda: [m for m in w.mail.wait_for_messages(to=staff.email["sales"])
                    if any("/reset-password?token=" in link for link in m["links"])], message="the reset email")
    [reset] = [link for m in w.mail.wait_for_messages(to=staff.email["sales"]) for link in m["links"]
               if "/reset-password?token=" in link]
    customer = s.post("/api/v1/customers", json={"name": "Hervé David", "kind": "company"},
                      token=staff.sales["access_token"]).get_json()
    quote = s.post("/api/v1/quotes", json={"title": "Atelier", "customer_id": customer["id"], "lines": [
        {"description": "Installation", "quantity": "1", "unit_price": "600", "tax_rate": "20"}]},
                   token=staff.sales["access_token"]).get_json()
    real = {"set-password": [l for l in invitation["links"] if "/set-password?token=" in l][0],
            "reset-password": reset, "contract": f"http://paraph.test/contracts/{quote['id']}"}

    def real_link(sample: str) -> str:
        """The sample link of the template's registry, made real (its kind read from the sample's path)."""
        path = urlsplit(sample).path
        if path in ("/set-password", "/reset-password"):
            return real[path.strip("/")]
        if path.startswith("/d/"):  # "the document the message is about": the staff's contract page
            return real["contract"]
        return sample

    templates = {t["name"]: t for t in s.get("/api/v1/notification-templates", token=admin).get_json()}
    assert set(templates) >= CLIENT_LINK_TEMPLATES | NO_LINK_TEMPLATES
    links: dict[str, set] = {}
    for name in set(templates) - CLIENT_LINK_TEMPLATES:
        for locale in ("fr", "en"):
            detail = s.get(f"/api/v1/notification-templates/{name}?locale={locale}", token=admin).get_json()
            sample = (s.post(f"/api/v1/notification-templates/{name}/preview?locale={locale}", json={},
                             token=admin).get_json())
            found = set(re.findall(r'href="([^"]+)"', sample["html"])) | set(re.findall(r"https?://\S+", sample["text"]))
            if "link" in detail["variables"]:
                link_sample = [lk for lk in found if "paraph.example" in lk]
                assert link_sample, (name, locale, "no link in the message")
                found = {real_link(lk) if "paraph.example" in lk else lk for lk in found}
            for link in found:
                links.setdefault(link, set()).add(name)
    staff_links = {lk: names for lk, names in links.items() if urlsplit(lk).netloc in ("paraph.test", "paraph.example")}
    assert {"invitation", "password_reset", "quote_viewed", "webhook_disabled"} <= set().union(*staff_links.values())

    # each followed in the browser, signed in as the admin (the reset link last: it signs the browser in)
    sign_in(browser, staff.email["admin"])
    for link in sorted(staff_links, key=lambda lk: "reset-password" in lk):
        target = w.url + urlsplit(link)._replace(scheme="", netloc="").geturl()
        browser.get(target)
        assert not css(browser, "#error-page"), (link, staff_links[link], by_id(browser, "error-page").text)
        assert not css(browser, "#link-problem"), (link, staff_links[link], "a used or unknown link")
        assert len(css(browser, "h1")) == 1, (link, staff_links[link])
