"""Online quotes (Initiative CRM): "Envoyer par email" with a "Consulter le devis" button, then
"Relancer par email" with the reminder template; the contact views the quote online, downloads its PDF,
sends remarks to the salesperson. Every view and download is kept with date and time and counted in
the quote list; feedback reaches the salesperson."""
import re

import pytest

pytestmark = [pytest.mark.integration, pytest.mark.e2e]


def _token(link: str) -> str:
    return link.rsplit("/q/", 1)[1]


def test_send_then_reminder_templates_and_recipients(world):
    s, w = world.s, world
    info = s.get(f"/api/v1/quotes/{w.quote['id']}/send", token=w.sales_token).get_json()
    assert info["sent"] is False and info["template"] == "quote_send"
    assert "button" not in info  # data, not a label: the web app words its button from "sent"
    assert info["default_contact_id"] == w.alice["id"] and info["request_signature_default"] is True
    assert info["last_send"] is None

    first = w.send_quote(attach_pdf=True, message="Bonne lecture")
    assert first["template"] == "quote_send" and first["reminder"] is False and first["to"] == "alice@acme.test"
    assert first["link"].startswith("http://paraph.test/q/") and len(_token(first["link"])) >= 40
    assert "next_button" not in first  # data, not a label: the web words its button from `sent` (below)
    # signature requested by default (license setting) but the signing service is not running here:
    # the quote is sent anyway, without the sign button
    assert first["signature"]["requested"] is False and first["signature"]["available"] is False
    mail = w.notifications("portal", "quote_send", "alice@acme.test")[-1]
    assert mail["vars"]["link"] == first["link"] and mail["vars"]["number"] == w.quote["number"]
    assert mail["vars"]["message"] == "Bonne lecture" and mail["vars"]["sender_name"]
    assert mail["attachments"] == [{"kind": "contract_pdf", "id": w.quote["id"],
                                    "filename": f"{w.quote['number']}.pdf"}]
    assert mail["locale"] == "fr" and mail["dedupe_key"].startswith("quote_send:")
    # the page token is stored hashed only
    stored = [r[0] for r in w.rows("portal", "select token_hash from quote_tokens")]
    assert _token(first["link"]) not in stored and len(stored) == 1
    # contracts recorded the send
    r = s.get(f"/api/v1/contracts/{w.quote['id']}", token=w.sales_token)
    assert r.get_json()["status"] == "sent"

    second = w.send_quote(request_signature=False)
    assert second["template"] == "quote_reminder" and second["reminder"] is True
    reminder = w.notifications("portal", "quote_reminder", "alice@acme.test")[-1]
    assert "attachments" not in reminder and reminder["vars"]["sent_at"]
    # both links open the same page
    assert s.get(f"/q/{_token(first['link'])}").status_code == 200
    assert s.get(f"/q/{_token(second['link'])}").status_code == 200
    info = s.get(f"/api/v1/quotes/{w.quote['id']}/send", token=w.sales_token).get_json()
    assert info["sent"] is True and info["template"] == "quote_reminder" and info["sent_to"] == {w.alice["id"]: 2}
    # the recipient's latest email, whose choices a reminder offers again: no PDF, no signature
    assert info["last_send"]["attach_pdf"] is False and info["last_send"]["request_signature"] is False
    assert info["last_send"]["at"].endswith("Z")
    other = s.get(f"/api/v1/quotes/{w.quote['id']}/send", token=w.sales_token,
                  query_string={"contact_id": w.bob["id"]}).get_json()
    assert other["last_send"] is None and other["template"] == "quote_send"
    history = [h["action"] for h in s.get(f"/api/v1/contracts/{w.quote['id']}/history", token=w.sales_token).get_json()]
    assert "sent" in history and "reminded" in history

    # another recipient must be a contact of the quote's customer
    r = s.post(f"/api/v1/quotes/{w.quote['id']}/send", json={"contact_id": w.carol["id"]}, token=w.sales_token)
    assert r.status_code == 422 and "contact of the quote's customer" in r.get_json()["detail"]
    # another contact, who never got the quote: its first sending ("Veuillez trouver notre devis"), not a reminder
    # ("Nous revenons vers vous") of an email they never had; the contract's history says "sent" to them. The
    # send screen says so when it shows them as the recipient
    info = s.get(f"/api/v1/quotes/{w.quote['id']}/send?contact_id={w.bob['id']}", token=w.sales_token).get_json()
    assert info["template"] == "quote_send" and info["default_contact_id"] == w.alice["id"]
    assert s.get(f"/api/v1/quotes/{w.quote['id']}/send?contact_id={'x' * 65}", token=w.sales_token).status_code == 422
    bob = w.send_quote(contact_id=w.bob["id"], request_signature=False)
    assert bob["to"] == "bob@acme.test" and bob["template"] == "quote_send" and bob["reminder"] is False
    assert w.notifications("portal", "quote_reminder", "bob@acme.test") == []
    assert [h["action"] for h in s.get(f"/api/v1/contracts/{w.quote['id']}/history", token=w.sales_token).get_json()
            if (h.get("details") or {}).get("contact_id") == w.bob["id"]] == ["sent"]
    again = w.send_quote(contact_id=w.bob["id"], request_signature=False)
    assert again["template"] == "quote_reminder" and again["reminder"] is True
    # "envoyé le": the day Bob had it, not Alice's first sending
    activity = s.get(f"/api/v1/quotes/{w.quote['id']}/activity", token=w.sales_token).get_json()
    bobs = [x["at"] for x in activity["sends"] if x["contact_id"] == w.bob["id"]]
    assert w.notifications("portal", "quote_reminder", "bob@acme.test")[-1]["vars"]["sent_at"] == bobs[0]
    info = s.get(f"/api/v1/quotes/{w.quote['id']}/send", token=w.sales_token).get_json()
    assert info["sent_to"] == {w.alice["id"]: 2, w.bob["id"]: 2} and info["template"] == "quote_reminder"
    # a contract is not a quote; bad input is a 4xx
    assert s.post(f"/api/v1/quotes/{w.contract['id']}/send", json={}, token=w.sales_token).status_code == 409
    assert s.post(f"/api/v1/quotes/{w.quote['id']}/send", json={"attach_pdf": "maybe"},
                  token=w.sales_token).status_code == 422
    # electronic signature switched off in the configuration: not requested by default, refused if asked
    r = s.patch("/api/v1/license", json={"electronic_signature_enabled": False}, token=w.admin_token)
    assert r.status_code == 200
    assert w.send_quote(request_signature=None)["signature"]["requested"] is False
    r = s.post(f"/api/v1/quotes/{w.quote['id']}/send", json={"request_signature": True}, token=w.sales_token)
    assert r.status_code == 422


def test_views_and_downloads_are_recorded_and_counted(world):
    s, w = world.s, world
    sent = w.send_quote(request_signature=False)
    token = _token(sent["link"])
    ua = {"User-Agent": "Mozilla/5.0 (QuoteTest)"}
    r = s.get(f"/q/{token}", headers=ua, environ_base={"REMOTE_ADDR": "192.0.2.10"})
    assert r.status_code == 200 and r.mimetype == "text/html"
    page = r.get_data(as_text=True)
    assert w.quote["number"] in page and "ACME Industries" in page and "Équipement atelier" in page
    assert "Perceuse &lt;industrielle&gt;" in page and "<industrielle>" not in page  # autoescaped
    compact = re.sub(r"\s", "", page.replace("\u202f", "").replace("\xa0", ""))
    # 2 x 450 + 300 = 1200 HT; VAT 20 % on 900 and 10 % on 300: 1410 TTC (French formatting)
    assert 'id="quote-subtotal">1200,00€' in compact and 'id="quote-total">1410,00€' in compact
    assert "Télécharger le PDF" in page and "Options (non incluses)" in page and "Extension de garantie" in page
    assert 'id="sign"' not in page  # no signing service running: no sign button
    csp = r.headers["Content-Security-Policy"]
    assert "default-src 'none'" in csp and "frame-ancestors 'none'" in csp
    assert r.headers["Referrer-Policy"] == "no-referrer" and r.headers["Cache-Control"] == "no-store"
    assert s.get(f"/q/{token}?lang=en").get_data(as_text=True).count("Download the PDF") == 1
    # the same browser switching to English (or reloading) moments later: the same view, the owner not told again
    r = s.get(f"/q/{token}?lang=en", headers=ua, environ_base={"REMOTE_ADDR": "192.0.2.10"})
    assert r.status_code == 200 and "Download the PDF" in r.get_data(as_text=True)
    r = s.get(f"/q/{token}/pdf", headers=ua, environ_base={"REMOTE_ADDR": "192.0.2.10"})
    assert r.status_code == 200 and r.mimetype == "application/pdf" and r.data.startswith(b"%PDF")
    assert f'filename="{w.quote["number"]}.pdf"' in r.headers["Content-Disposition"]

    # kept with date and time (and IP, browser), published with the owner for notify
    viewed = [e["data"] for e in w.outbox("portal", "quote.viewed.v1")]
    downloaded = [e["data"] for e in w.outbox("portal", "quote.downloaded.v1")]
    assert len(viewed) == 2 and len(downloaded) == 1
    first = viewed[0]
    assert first["owner_id"] == w.sales["user"]["user_id"] and first["contact_id"] == w.alice["id"]
    assert first["ip"] == "192.0.2.10" and first["user_agent"] == "Mozilla/5.0 (QuoteTest)"
    assert first["number"] == w.quote["number"] and first["at"].endswith("Z")
    activity = s.get(f"/api/v1/quotes/{w.quote['id']}/activity", token=w.sales_token).get_json()
    assert [e["kind"] for e in activity["events"]] == ["viewed", "viewed", "downloaded"]
    assert activity["events"][0]["ip"] == "192.0.2.10" and activity["events"][0]["contact_name"] == "Alice Martin"
    assert all(e["at"] for e in activity["events"]) and activity["views"] == 2 and activity["downloads"] == 1
    # contracts counts them in the quote list and keeps them in the quote's history
    s.wait_for(lambda: w.quote_counts() == (2, 1), message="view/download counts in the quote list")
    history = [h["action"] for h in s.get(f"/api/v1/contracts/{w.quote['id']}/history", token=w.sales_token).get_json()]
    assert history.count("portal_viewed") == 2 and history.count("portal_downloaded") == 1
    # the activity is not public
    assert s.get(f"/api/v1/quotes/{w.quote['id']}/activity").status_code == 401


def test_feedback_reaches_the_salesperson(world):
    s, w = world.s, world
    token = _token(w.send_quote(request_signature=False)["link"])
    r = s.post(f"/q/{token}/feedback?lang=fr", data={"message": "Pouvez-vous revoir la remise ?"},
               environ_base={"REMOTE_ADDR": "192.0.2.20"})
    # post/redirect/get: sent, the browser is sent on to the page saying so; refreshing it sends nothing again
    assert r.status_code == 303 and r.headers["Location"] == f"/q/{token}/feedback?lang=fr", r.status_code
    assert r.headers["Cache-Control"] == "no-store" and r.headers["Referrer-Policy"] == "no-referrer"
    for _refresh in range(2):
        thanks = s.get(r.headers["Location"])
        assert thanks.status_code == 200 and "Merci\u00a0! Votre message a été transmis" in thanks.get_data(as_text=True)
        assert 'id="feedback-form"' in thanks.get_data(as_text=True)  # another remark may follow
        # what was sent is shown back, under its time (the form empties once it is sent)
        own = thanks.get_data(as_text=True).split('id="own-feedback"', 1)[1].split("</ul>", 1)[0]
        assert "<p>Pouvez-vous revoir la remise ?</p>" in own and "data-local-time" in own
    event = w.outbox("portal", "quote.feedback_sent.v1")[-1]["data"]
    assert event["message"] == "Pouvez-vous revoir la remise ?" and event["owner_id"] == w.sales["user"]["user_id"]
    assert event["contact_id"] == w.alice["id"]
    mail = w.notifications("portal", "quote_feedback", "paul@vendeur.test")
    assert len(mail) == 1 and mail[0]["vars"]["message"] == "Pouvez-vous revoir la remise ?"
    assert mail[0]["vars"]["contact_name"] == "Alice Martin" and mail[0]["user_id"] == w.sales["user"]["user_id"]
    assert mail[0]["vars"]["link"].endswith(f"/contracts/{w.quote['id']}") and mail[0]["reply_to"] == "alice@acme.test"
    # the same key notify uses for its own owner notification of this event: the salesperson gets one email
    event_id = w.outbox("portal", "quote.feedback_sent.v1")[-1]["id"]
    assert mail[0]["dedupe_key"] == f"{event_id}:quote_feedback:email"
    # empty or oversized remarks are refused on the page (no 500)
    r = s.post(f"/q/{token}/feedback", data={"message": "   "})
    assert r.status_code == 422 and "feedback-error" in r.get_data(as_text=True)
    r = s.post(f"/q/{token}/feedback", data={"message": "x" * 5001})
    assert r.status_code == 422
    # the page the form lands on is no view, and says nothing was sent by a contact who sent nothing
    other = _token(w.send_quote(contact_id=w.bob["id"], request_signature=False)["link"])
    page = s.get(f"/q/{other}/feedback")
    assert page.status_code == 200 and "feedback-thanks" not in page.get_data(as_text=True)
    assert "Pouvez-vous revoir" not in page.get_data(as_text=True)  # another contact's page: not their message
    assert s.get("/q/" + "A" * 43 + "/feedback").status_code == 404
    activity = s.get(f"/api/v1/quotes/{w.quote['id']}/activity", token=w.sales_token).get_json()
    assert activity["feedback"] == 1 and activity["views"] == 0
    assert [e["message"] for e in activity["events"]] == ["Pouvez-vous revoir la remise ?"]


def test_unknown_expired_and_revoked_links_get_a_friendly_page(world):
    s, w = world.s, world
    r = s.get("/q/" + "A" * 43)
    assert r.status_code == 404 and r.mimetype == "text/html" and "Lien introuvable" in r.get_data(as_text=True)
    assert s.get("/q/short").status_code == 404
    assert s.get("/q/" + "A" * 43 + "/pdf").status_code == 404
    assert s.post("/q/" + "A" * 43 + "/feedback", data={"message": "hi"}).status_code == 404
    # three openings by three browsers (one browser's within two minutes are one view: logic.SAME_VIEW_WITHIN)
    token = _token(w.send_quote(request_signature=False)["link"])
    assert s.get(f"/q/{token}", headers={"User-Agent": "first browser"}).status_code == 200
    # expired
    w.execute("portal", "update quote_tokens set expires_at = now() - interval '1 minute'")
    r = s.get(f"/q/{token}?lang=en")
    assert r.status_code == 410 and "Link expired" in r.get_data(as_text=True)
    assert s.get(f"/q/{token}/pdf").status_code == 410
    # a new email gives a working link again; revoking stops every link of the quote
    token2 = _token(w.send_quote(request_signature=False)["link"])
    assert s.get(f"/q/{token2}", headers={"User-Agent": "second browser"}).status_code == 200
    r = s.delete(f"/api/v1/quotes/{w.quote['id']}/links", token=w.sales_token)
    assert r.status_code == 200 and r.get_json()["revoked"] == 1
    r = s.get(f"/q/{token2}")
    assert r.status_code == 410 and "Lien expiré" in r.get_data(as_text=True)
    # sending the quote again gives a new working link; the revoked ones stay dead
    token3 = _token(w.send_quote(request_signature=False)["link"])
    assert s.get(f"/q/{token3}", headers={"User-Agent": "third browser"}).status_code == 200
    assert s.get(f"/q/{token2}").status_code == 410 and s.get(f"/q/{token}").status_code == 410
    # nothing was recorded for refused requests
    activity = s.get(f"/api/v1/quotes/{w.quote['id']}/activity", token=w.sales_token).get_json()
    assert activity["views"] == 3 and activity["downloads"] == 0


def test_staff_outside_the_license_cannot_send_or_read(world):
    s, w = world.s, world
    other = s.new_license("Autre SA", "admin@autre.test")
    for method, path in (("post", "send"), ("get", "activity"), ("get", "send")):
        r = getattr(s, method)(f"/api/v1/quotes/{w.quote['id']}/{path}", token=other["access_token"])
        assert r.status_code == 404, (path, r.get_json())


def test_send_screen_chooses_the_template_and_writes_the_subject(world):
    """The send screen's choices reach the email: the reminder template chosen for a first sending, the
    subject the salesperson wrote (plain text, replacing the template's); a bad choice is a 422."""
    s, w = world.s, world
    info = s.get(f"/api/v1/quotes/{w.quote['id']}/send", token=w.sales_token).get_json()
    assert info["templates"] == ["quote_send", "quote_reminder"]
    sent = w.send_quote(template="quote_reminder", subject="  Notre proposition {{ number }}  ",
                        request_signature=False)
    assert sent["template"] == "quote_reminder" and sent["reminder"] is False
    mail = w.notifications("portal", "quote_reminder", "alice@acme.test")[-1]
    assert mail["subject"] == "Notre proposition {{ number }}"  # sent as written, never run as a template
    again = w.send_quote(request_signature=False)  # nothing chosen: the reminder, the template's subject
    assert again["template"] == "quote_reminder"
    assert "subject" not in w.notifications("portal", "quote_reminder", "alice@acme.test")[-1]
    for body in ({"template": "invitation"}, {"subject": "x" * 501}, {"template": 3}):
        r = s.post(f"/api/v1/quotes/{w.quote['id']}/send", json=body, token=w.sales_token)
        assert r.status_code == 422 and r.mimetype == "application/problem+json", (body, r.get_json())
