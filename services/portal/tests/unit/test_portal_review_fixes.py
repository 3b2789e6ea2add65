"""The portal's pages after a review of their screenshots: a document that is not (or no longer) shared has a page
of its own (a heading, who to ask, the way back to the list), not a lone red banner; the user code is said to be
what identity's sign-in takes it for (optional: it picks which company's portal when an email opens several), by
the form, its hint and the refusal alike; the profile's two saves look alike."""
import re
from markupsafe import escape

from portal_service import logic
from portal_service.dependencies import Renderer

R = Renderer()


def portal(locale: str, page: str = "home") -> str:
    return R.render("portal.html", locale, "N1", page=page, contract_id="abc", labels=logic.LABELS[locale],
                    other_locale="en" if locale == "fr" else "fr")


def test_a_document_not_shared_has_a_heading_who_to_ask_and_the_way_back_to_the_list():
    for locale, heading, back in (("fr", "Document introuvable", "Retour à vos documents"),
                                  ("en", "Document not found", "Back to your documents")):
        labels, html = logic.LABELS[locale], portal(locale, "contract")
        section = re.search(r'<section class="card hidden" id="contract-missing">(.+?)</section>', html, re.S).group(1)
        assert f"<h1>{heading}</h1>" in section and f"<p>{escape(labels['contract_not_found'])}</p>" in section
        assert f'<a href="/portal?lang={locale}" class="button" id="contract-missing-back">{back}</a>' in section
        assert "{name}" in labels["contract_missing_ask"] and "{name}" not in labels["contract_missing_ask_plain"]
    # the script shows that page on a 404, naming the company whose portal it is, instead of the error banner
    html = portal("fr", "contract")
    assert 'show("contract-missing", true);' in html
    assert 'L.contract_missing_ask.replace("{name}", license.name)' in html
    assert '"contract-missing", "tasks", "profile"].forEach' in html  # hidden again by start()


def test_the_user_code_is_optional_everywhere_and_its_refusal_depends_on_whether_one_was_typed():
    fr, en = logic.LABELS["fr"], logic.LABELS["en"]
    assert fr["user_code"] == "Code d'utilisateur (facultatif)" and en["user_code"] == "User code (optional)"
    html = portal("fr")
    assert 'aria-describedby="login-user-code-hint"' in html
    assert f'<p class="muted hint" id="login-user-code-hint">{escape(fr["user_code_hint"])}</p>' in html
    assert "plusieurs sociétés" in fr["user_code_hint"]
    # no code typed: nothing to check about it; a code typed: that it may name none of the email's accesses
    assert "code" not in fr["login_no_access"] and "code" not in en["login_no_access"]
    assert "laissez le champ vide" in fr["login_no_access_code"] and "leave the field empty" in en["login_no_access_code"]
    assert "403: code ? L.login_no_access_code : L.login_no_access" in html


def test_the_profiles_two_saves_look_alike():
    html = portal("fr", "profile")
    assert '<button class="button secondary" type="submit" id="contact-submit">' in html
    assert '<button class="button secondary" type="submit" id="company-submit">' in html
