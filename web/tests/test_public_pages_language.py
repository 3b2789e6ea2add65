"""The pages before signing in (sign-in, activation, forgotten password) have a "Français / English" switch: a French
admin's English browser made them English with no way back. The choice is kept for the visit (a cookie without
an expiry date); a signed-in user's pages stay in their profile's language, and an emailed link's page in its
email's language."""
from __future__ import annotations

from html import unescape

from flask import Flask, jsonify, request

from paraph_web import i18n
from web.tests.test_web import csrf, web_in_front_of

ENGLISH = {"Accept-Language": "en-US,en;q=0.9"}


def gateway() -> Flask:
    fake = Flask("fake_gateway")

    @fake.post("/api/v1/auth/link-info")
    def link_info():
        return jsonify({"purpose": request.get_json()["purpose"], "email": "ann@acme.test", "name": "Ann Lee",
                        "company": "ACME Paris", "role": "user", "has_password": False, "locale": "en",
                        "expires_at": "2031-01-01T00:00:00Z"})
    return fake


def page(client, path) -> str:
    return unescape(client.get(path, headers=ENGLISH).get_data(as_text=True))


def test_the_public_pages_switch_language_for_the_visit():
    with web_in_front_of(gateway(), locale=lambda: "en") as web:
        client = web.test_client()
        html = page(client, "/sign-in?next=/customers")
        assert '<html lang="en">' in html and "Forgot your password?" in html
        # the page's own language marked, the other a link back to this page in it, each named in itself
        assert '<span lang="en" aria-current="true">English</span>' in html
        switch = '<a href="/language/fr?next=/sign-in?next%3D/customers" lang="fr" hreflang="fr" id="language-fr">'
        assert switch + "Français</a>" in html.replace("%2F", "/")
        r = client.get("/language/fr?next=/sign-in?next%3D/customers", headers=ENGLISH)
        assert r.status_code == 302 and r.headers["Location"] == "/sign-in?next=/customers"
        cookie = next(c for c in r.headers.getlist("Set-Cookie") if c.startswith(i18n.LANGUAGE_COOKIE + "="))
        assert cookie.startswith("lang=fr;") and "HttpOnly" in cookie and "SameSite=Lax" in cookie
        assert "Expires" not in cookie and "Max-Age" not in cookie  # for the visit
        # the browser still says English: the choice wins on every public page
        for path, words in (("/sign-in", "Mot de passe oublié\u00a0?"), ("/forgot-password", "M'envoyer un lien"),
                            ("/activate", "Activer l'abonnement")):
            html = page(client, path)
            assert '<html lang="fr">' in html and words in html, path
            assert '<span lang="fr" aria-current="true">Français</span>' in html
            assert 'hreflang="en" id="language-en">English</a>' in html
        # a refused activation (a POST) switches back to the empty form, not to a replayed post
        r = client.post("/activate", data={"csrf_token": csrf(client), "activation_code": ""}, headers=ENGLISH)
        assert 'href="/language/en?next=/activate"' in r.get_data(as_text=True)
        # an emailed link's page stays in its email's language (English here), and offers no switch
        html = page(client, "/reset-password?token=reset-token-123")
        assert '<html lang="en">' in html and 'id="language-switch"' not in html
        # signed in, the profile's language (English) wins over the visit's choice
        r = client.post("/sign-in", data={"email": "ann@acme.test", "password": "x", "csrf_token": csrf(client)})
        assert r.status_code == 302
        assert "<html lang=\"en\">" in page(client, "/account")
        # back to English, and an unknown language or a foreign next are refused / kept on the site
        assert client.get("/language/de").status_code == 404
        r = client.get("/language/en?next=//evil.test/x")
        assert r.headers["Location"] == "/"


def test_without_a_choice_the_browsers_language_still_chooses():
    with web_in_front_of(gateway()) as web:
        client = web.test_client()
        assert '<html lang="en">' in page(client, "/forgot-password")
        html = unescape(client.get("/forgot-password", headers={"Accept-Language": "fr"}).get_data(as_text=True))
        assert '<html lang="fr">' in html and 'id="language-en">English</a>' in html
