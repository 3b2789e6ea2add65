"""A license admin whose invitation was lost or expired (activating the company again points here:
test_license_admin_pages): the forgotten-password page says it re-sends an invitation, and answers every email the
same way."""
from __future__ import annotations

import re
from html import unescape

from flask import Flask, jsonify, request

from web.tests.test_web import csrf, web_in_front_of

FRENCH = {"Accept-Language": "fr"}
NBSP = "\u00a0"


def words(html: str) -> str:
    return re.sub(r"[ \t\r\n]+", " ", unescape(re.sub(r"<[^>]+>", " ", html))).strip()


def test_the_forgotten_password_page_offers_a_new_invitation_and_answers_every_email_alike():
    fake = Flask("fake_gateway")
    asked = []

    @fake.post("/api/v1/auth/forgot-password")
    def forgot():
        asked.append(request.get_json()["email"])
        return jsonify({"requested": True}), 202

    with web_in_front_of(fake, locale=lambda: "fr") as web:
        client = web.test_client()
        form = client.get("/forgot-password?email=claire@immo.test", headers=FRENCH).get_data(as_text=True)
        assert 'value="claire@immo.test"' in form  # filled in from the activation page's link
        assert words(form).count(f"Invitation perdue ou lien expiré{NBSP}? Saisissez l'adresse à laquelle elle a "
                                 f"été envoyée{NBSP}: nous vous en enverrons une nouvelle.") == 1
        answers = []
        for email in ("claire@immo.test", "nobody@immo.test"):
            r = client.post("/forgot-password", headers=FRENCH,
                            data={"email": email, "csrf_token": csrf(client, "/forgot-password")})
            assert r.status_code == 200
            notice = re.search(r'id="reset-requested">(.*?)</p>', r.get_data(as_text=True), re.S).group(1)
            answers.append(words(notice).replace(email, "<email>"))
    assert asked == ["claire@immo.test", "nobody@immo.test"]
    assert answers[0] == answers[1] == (
        "Si un compte utilise <email>, nous lui avons envoyé un lien pour choisir un nouveau mot de passe. Ce lien "
        "est valable pendant une durée limitée. Si une invitation attend encore cette adresse, nous lui en avons "
        "envoyé une nouvelle."), answers
