"""A form posted twice does its writes once, against the real services: a salesperson's "Create the
customer" and "Send by email" forms, each posted twice as a double click or a browser sending the POST again
does, make one customer and send one email; the second post lands on the same page as the first. The same
form changed before it is posted again is a new write."""
import html
import re

import pytest
import requests

from paraph_platform.testing import wait_for
from tests.e2e.web.browsing import ok

from .conftest import PASSWORD

pytestmark = [pytest.mark.integration, pytest.mark.e2e]
EXTRA_SERVICES = ("portal",)  # sending a quote by email (its link to the online quote)


def form_fields(page: str, form_id: str) -> dict:
    """The values a browser would post from the form ``form_id`` as rendered: its inputs, selects (their
    selected option, else the first) and textareas."""
    form = re.search(rf'<form[^>]*id="{form_id}".*?</form>', page, re.S).group(0)
    fields = {name: html.unescape(value) for name, value in re.findall(
        r'<input type="hidden" name="([^"]+)" value="([^"]*)"', form)}
    for name, options in re.findall(r'<select[^>]*name="([^"]+)"[^>]*>(.*?)</select>', form, re.S):
        chosen = re.search(r'<option value="([^"]*)"[^>]*selected', options) or re.search(
            r'<option value="([^"]*)"', options)
        fields[name] = html.unescape(chosen.group(1)) if chosen else ""
    for name, value in re.findall(r'<input[^>]*name="([^"]+)"[^>]*value="([^"]*)"[^>]*>', form):
        fields.setdefault(name, html.unescape(value))
    return fields


def signed_in(w, email: str) -> requests.Session:
    browser_like = requests.Session()
    page = browser_like.get(w.url + "/sign-in", timeout=15).text
    answer = browser_like.post(w.url + "/sign-in", timeout=15, allow_redirects=False, data={
        **form_fields(page, "sign-in-form"), "email": email, "password": PASSWORD})
    assert answer.status_code == 302, answer.text
    return browser_like


def test_create_the_customer_and_send_by_email_posted_twice_do_it_once(web_system, staff):
    w, s, token = web_system, web_system.s, staff.sales["access_token"]
    paul = signed_in(w, staff.email["sales"])

    form = form_fields(paul.get(w.url + "/customers/new", timeout=15).text, "customer-form")
    form.update({"kind": "company", "name": "Boulangerie Martin", "contact_first_name": "Claire",
                 "contact_last_name": "Martin", "contact_email": "claire@boulangerie.test"})
    first, again = (paul.post(w.url + "/customers/new", data=form, allow_redirects=False, timeout=30)
                    for _ in range(2))
    assert first.status_code == again.status_code == 302 and first.headers["Location"] == again.headers["Location"]
    listed = ok(s.get("/api/v1/customers?q=Boulangerie", token=token))["items"]
    assert [c["name"] for c in listed] == ["Boulangerie Martin"]
    changed = paul.post(w.url + "/customers/new", data={**form, "name": "Boulangerie Martin et fils"},
                        allow_redirects=False, timeout=30)
    assert changed.status_code == 302 and changed.headers["Location"] != first.headers["Location"]
    assert len(ok(s.get("/api/v1/customers?q=Boulangerie", token=token))["items"]) == 2

    customer = ok(s.get(f"/api/v1/customers/{listed[0]['id']}", token=token))
    quote = ok(s.post("/api/v1/quotes", token=token, json={
        "title": "Four à pain", "contact_id": customer["contacts"][0]["id"],
        "lines": [{"description": "Four à sole", "quantity": "1", "unit_price": "9000", "tax_rate": "20"}]}))
    send_page = paul.get(f"{w.url}/contracts/{quote['id']}/send", timeout=15).text
    form = {**form_fields(send_page, "send-form"), "action": "send"}
    form.pop("request_signature", None)  # sent by email only
    # posted again once the first sending is recorded (the slow case: the page's default template, the first
    # sending, must not be worked out again as a reminder, a second email), then once more at once
    sends = lambda: ok(s.get(f"/api/v1/quotes/{quote['id']}/activity", token=token))["sends"]  # noqa: E731
    for _ in range(3):
        assert paul.post(f"{w.url}/contracts/{quote['id']}/send", data=form, allow_redirects=False,
                         timeout=60).status_code == 302
        wait_for(lambda: sends(), timeout=30)
    assert [x["template"] for x in sends()] == ["quote_send"]
    wait_for(lambda: w.mail.messages(to="claire@boulangerie.test"), timeout=30)
    history = ok(s.get(f"/api/v1/contracts/{quote['id']}", token=token))
    assert history["status"] == "sent"
    sent = [m for m in w.mail.messages(to="claire@boulangerie.test")]
    assert len(sent) == 1, [dict(m["headers"]).get("Subject") for m in sent]

    # the screen after it: a reminder to Claire, who had it; the first sending to a colleague of hers who never
    # had it, once the salesperson chooses her (the portal says which: web and API word it alike)
    colleague = ok(s.post(f"/api/v1/customers/{customer['id']}/contacts", token=token, json={
        "first_name": "Marc", "last_name": "Martin", "email": "marc@boulangerie.test"}))
    again = form_fields(paul.get(f"{w.url}/contracts/{quote['id']}/send", timeout=15).text, "send-form")
    assert again["template"] == "quote_reminder"
    for_marc = paul.post(f"{w.url}/contracts/{quote['id']}/send", timeout=30, data={
        **again, "contact_id": colleague["id"], "action": "preview"})
    assert for_marc.status_code == 200 and form_fields(for_marc.text, "send-form")["template"] == "quote_send"
