"""The contract page's "Customer activity" against a fake gateway: a sent quote's views, downloads and feedback
(latest first, the feedback in full and escaped), the empty state saying when it was sent, no section for a
quote never sent, the page still shown when the portal cannot say (the activity call fails), and the views and
downloads said there only, not again in the history."""
from __future__ import annotations

import pytest
from flask import Flask, jsonify

from web.tests.test_web import answer_a_contract_pages_lookups, sign_in, web_in_front_of

SENT = {"at": "2026-12-05T09:00:00Z", "contact_id": "ct-claire", "to": "claire@durand.test", "template": "quote_send",
        "reminder": False, "attach_pdf": True, "request_signature": False}
ANSWER = {**SENT, "at": "2026-12-05T11:00:00Z", "template": "quote_reminder", "reminder": True, "attach_pdf": False}
EVENTS = [{"kind": "prefetch", "channel": "quote_page", "at": "2026-12-05T09:00:01Z", "contact_name": "Claire Durand"},
          {"kind": "viewed", "channel": "quote_page", "at": "2026-12-05T10:00:00Z", "contact_name": "Claire Durand"},
          {"kind": "downloaded", "channel": "portal", "at": "2026-12-05T10:05:00Z", "contact_name": "Marc Petit"},
          {"kind": "downloaded", "channel": "signing_link", "at": "2026-12-05T10:07:00Z", "contact_name": "Marc Petit"},
          {"kind": "feedback", "channel": "quote_page", "at": "2026-12-05T10:10:00Z", "contact_name": "",
           "contact_id": "ct-claire", "message": "Livrer avant mars ?\n<b>Merci</b>"}]
# contracts' history records the views and downloads too
HISTORY = [{"action": "sent", "at": "2026-12-05T09:00:00Z", "actor_id": "u1", "actor_name": "Paul Martin",
            "details": {}},
           {"action": "portal_viewed", "at": "2026-12-05T10:00:00Z", "actor_id": None, "details": {}},
           {"action": "portal_downloaded", "at": "2026-12-05T10:05:00Z", "actor_id": None, "details": {}}]
# quote -> (its status, sent_at, the activity answer; None: the portal fails)
QUOTES = {"seen": ("sent", SENT["at"], {"sends": [SENT], "events": EVENTS}),
          "unopened": ("sent", SENT["at"], {"sends": [SENT], "events": EVENTS[:1]}),
          "answered": ("sent", SENT["at"], {"sends": [SENT, ANSWER], "events": EVENTS}),
          "draft": ("draft", None, {"sends": [], "events": []}),
          "down": ("sent", SENT["at"], None),
          "draft-down": ("draft", None, None)}


@pytest.fixture
def web():
    fake = Flask("fake_gateway")
    answer_a_contract_pages_lookups(fake)

    @fake.get("/api/v1/contracts/<contract_id>")
    def contract(contract_id):
        status, sent_at, _ = QUOTES[contract_id]
        return jsonify({"id": contract_id, "kind": "quote", "number": "Q-1", "status": status, "sent_at": sent_at,
                        "customer_id": "durand", "customer_name": "Atelier Durand", "currency": "EUR", "lines": []})

    @fake.get("/api/v1/contracts/<contract_id>/history")
    def history(contract_id):
        return jsonify(HISTORY)

    @fake.get("/api/v1/quotes/<contract_id>/activity")
    def activity(contract_id):
        answer = QUOTES[contract_id][2]
        if answer is None:
            return jsonify({"status": 503, "title": "Service Unavailable"}), 503
        return jsonify(answer)

    with web_in_front_of(fake) as app:
        yield app


def page(web, quote: str) -> str:
    client = web.test_client()
    sign_in(client)
    r = client.get(f"/contracts/{quote}", headers={"Accept-Language": "en"})
    assert r.status_code == 200
    return r.get_data(as_text=True)


def section(html: str) -> str:
    start = html.index('id="customer-activity"')
    return html[start:html.index("</section>", start)]


def test_a_sent_quote_lists_its_customers_views_downloads_and_feedback_latest_first(web):
    shown = section(page(web, "seen"))
    kinds = [part.split('"', 1)[0] for part in shown.split('data-kind="')[1:]]
    assert kinds == ["feedback", "downloaded", "downloaded", "viewed"]  # the link scanner's prefetch is not the customer's
    assert "Marc Petit" in shown and "Claire Durand" in shown and "a contact" in shown
    assert "Livrer avant mars ?\n&lt;b&gt;Merci&lt;/b&gt;" in shown  # in full, as text
    assert "client portal" in shown and "quote page" in shown and "(signing link)" in shown
    assert 'datetime="2026-12-05T10:10:00Z">5 Dec 2026, 10:10 UTC<' in shown  # the reader's zone
    assert "Not opened yet" not in shown


def test_a_quote_not_opened_yet_says_when_it_was_sent(web):
    shown = section(page(web, "unopened"))
    assert "Not opened yet. Sent on 5 Dec 2026, 09:00 UTC." in shown and "data-kind" not in shown


def test_no_section_for_a_quote_never_sent(web):
    assert 'id="customer-activity"' not in page(web, "draft")


def test_the_page_shows_when_the_activity_cannot_be_read(web):
    html = page(web, "down")
    assert "cannot be shown right now" in section(html) and 'id="lines"' in html
    # a draft never sent, shared nor seen has no activity to miss: no section, not an apology
    assert 'id="customer-activity"' not in page(web, "draft-down")


def history_actions(html: str) -> list[str]:
    start = html.index('id="history-list"')
    listed = html[start:html.index("</ol>", start)]
    return [part.split('"', 1)[0] for part in listed.split('data-action="')[1:]]


def test_the_views_and_downloads_are_said_once_in_the_customer_activity_not_again_in_the_history(web):
    assert history_actions(page(web, "seen")) == ["sent"]
    # the portal cannot say: the history keeps them, the only place they are said
    assert history_actions(page(web, "down")) == ["portal_downloaded", "portal_viewed", "sent"]


def test_feedback_no_email_answered_yet_is_what_the_quote_waits_for_and_is_replied_to_by_email(web):
    """A customer's question after the last email: the banner says the quote waits on the salesperson, and the
    feedback has a reply link to the address the quote was sent to; once an email left after it, the banner says
    the quote waits on the customer again."""
    html = page(web, "seen")
    banner = html[html.index('id="signature-banner"'):html.index("</p>", html.index('id="signature-banner"'))]
    assert 'href="#customer-activity" id="unanswered-feedback">The customer left feedback on 5 Dec 2026, 10:10 UTC.' \
        in banner and "Waiting for the customer" not in banner
    reply = section(html).split('class="feedback-reply"')[0].rsplit("<a ", 1)[1]
    assert reply.startswith('href="mailto:claire@durand.test?subject=Re%3A%20Quote%20Q-1')
    answered = page(web, "answered")
    assert 'id="unanswered-feedback"' not in answered and "Waiting for the customer's answer." in answered
