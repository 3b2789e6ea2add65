"""Server-side pages: everything is escaped, error pages are friendly, fr and en."""
import json
import re
from pathlib import Path

import pytest

from paraph_platform.phones import PHONE_ERROR, phone_error
from paraph_platform import addresses, client_pages
from paraph_platform.countries import countries
from portal_service import logic
from portal_service.dependencies import Renderer
from tests.typography import breakable_spaces_in

R = Renderer()
DETAIL = {"number": "Q-2026-00001", "title": "<script>alert(1)</script>", "status": "sent",
          "customer_name": "Ben & Jerry's", "currency": "EUR", "owner_name": "Paul <b>",
          "lines": [{"description": '"><img src=x onerror=alert(1)>', "quantity": "1", "unit_price": "10",
                     "discount_pct": "0", "tax_rate": "20", "amount": "10.00"}],
          "taxes": [], "subtotal": "10.00", "tax_total": "2.00", "total": "12.00"}


def quote(locale="fr", signer=None, more_lines=(), **kw):
    ctx = logic.quote_context({**DETAIL, "lines": [*DETAIL["lines"], *more_lines]}, locale, signer, **kw)
    return R.render("quote.html", locale, "NONCE123", q=ctx, base="/q/tok", other_locale="en")


def test_quote_page_escapes_everything():
    html = quote()
    assert "<script>alert(1)</script>" not in html and "&lt;script&gt;alert(1)&lt;/script&gt;" in html
    assert "<img src=x" not in html and "&lt;img src=x" in html
    assert "Ben &amp; Jerry&#39;s" in html and "Paul &lt;b&gt;" in html
    assert '<style nonce="NONCE123">' in html
    assert client_pages.stylesheet() in html  # the look shared with the signing page
    assert 'href="/q/tok/pdf?lang=fr"' in html and 'action="/q/tok/feedback?lang=fr"' in html
    assert "Télécharger le PDF" in html and 'id="sign"' not in html


def test_quote_page_says_which_company_sends_it_and_who_in_it():
    """The top bar names the seller's company, once; under the title "De la part de <owner>", as on the signing
    page; without the company's name (identity unavailable), the top bar names the quote."""
    html = quote(seller_name="ACME <Paris>")
    assert '<span id="quote-seller">ACME &lt;Paris&gt;</span>' in html
    assert '<p class="muted from" id="quote-from">De la part de Paul &lt;b&gt;</p>' in html
    assert html.count("ACME &lt;Paris&gt;") == 2  # the top bar and the window's title
    assert "<title>Devis Q-2026-00001 – ACME &lt;Paris&gt;</title>" in html
    assert 'id="quote-from">From Paul &lt;b&gt;</p>' in quote("en", seller_name="ACME <Paris>")
    html = quote()
    assert '<span id="quote-seller">Devis Q-2026-00001</span>' in html
    assert 'id="quote-from">De la part de Paul &lt;b&gt;</p>' in html


def test_quote_page_sign_button_and_notices():
    html = quote("en", signer={"status": "pending", "path": "/sign/abcdefgh12"}, feedback_sent=True)
    assert 'id="sign" href="/sign/abcdefgh12"' in html and ">Sign<" in html
    assert "Thank you! Your message was sent" in html and "Download the PDF" in html
    html = quote("fr", error="Écrivez vos remarques <ici>")
    assert 'id="feedback-error"' in html and "&lt;ici&gt;" in html


def test_error_pages():
    html = R.error(404, "fr", "N")
    assert "Lien introuvable" in html and 'data-status="404"' in html
    assert "Link expired" in R.error(410, "en", "N")
    assert "indisponible" in R.error(503, "fr", "N")


def test_portal_shell_carries_labels_as_an_escaped_attribute():
    html = R.render("portal.html", "en", "N1", page="contract", contract_id="abc-123", labels=logic.LABELS["en"],
                    other_locale="fr")
    assert '<script nonce="N1">' in html and 'data-contract-id="abc-123"' in html
    assert 'data-labels="{&#34;lang&#34;: &#34;en&#34;' in html
    assert "Sign in to the customer portal" in html


def test_portal_shell_names_the_company_once_signed_in_and_says_a_new_password_is_saved():
    """The top bar is the portal's own name until the session names the company ("ACME Paris — Portail client",
    portal.js); the sign-in form has, hidden, the notices for a client who just chose her password and for one who
    signed in at the staff's sign-in."""
    for locale, saved, here in (("fr", "Votre mot de passe est enregistré\u00a0: connectez-vous.",
                                 "Votre compte donne accès au portail client\u00a0: connectez-vous ici."),
                                ("en", "Your password is saved: sign in.",
                                 "Your account opens the customer portal: sign in here.")):
        labels = logic.LABELS[locale]
        html = R.render("portal.html", locale, "N1", page="home", contract_id="", labels=labels, other_locale="en")
        assert f'<span id="portal-brand">{labels["portal"]}</span>' in html
        assert f'<p class="notice ok hidden" id="password-set" role="status">{saved}</p>' in html
        assert f'<p class="notice ok hidden" id="portal-account" role="status">{here}</p>' in html
        assert labels["portal_of"].replace("{name}", "ACME Paris") == f"ACME Paris — {labels['portal']}"


def test_the_portal_sign_in_links_to_a_forgotten_password_page_of_its_own_language():
    """"Mot de passe oublié ?" under the sign-in form leads to /portal/forgot-password in the page's language: the
    portal's own form (portal.js asks identity for the link), its answer the same for any email."""
    for locale, forgot, sent in (("fr", "Mot de passe oublié\u00a0?", "Si un compte utilise {email}, nous lui avons"),
                                 ("en", "Forgot your password?", "If an account uses {email}, we have sent it")):
        labels = logic.LABELS[locale]
        html = R.render("portal.html", locale, "N1", page="forgot", contract_id="", labels=labels, other_locale="en")
        assert f'<a href="/portal/forgot-password?lang={locale}" id="forgot-link">{forgot}</a>' in html
        assert f'<section class="card hidden" id="forgot">\n    <h1>{forgot}</h1>' in html
        assert 'id="forgot-email" name="email" autocomplete="username" required' in html
        assert f'<a href="/portal?lang={locale}" id="back-to-login">{labels["back_to_login"]}</a>' in html
        assert labels["forgot_sent"].startswith(sent) and 'fetch("/api/v1/auth/forgot-password"' in html


def test_portal_profile_page_has_both_self_service_forms_in_each_language():
    """/portal/profile: the client's details and their company's, every field labelled, an error slot each."""
    assert set(logic.LABELS["fr"]) == set(logic.LABELS["en"])  # no label missing in one language
    for locale, title in (("fr", "Mon profil"), ("en", "My profile")):
        html = R.render("portal.html", locale, "N1", page="profile", contract_id="", labels=logic.LABELS[locale],
                        other_locale="en")
        assert 'data-page="profile"' in html and f"<h1>{title}</h1>" in html
        for field in ("contact-phone", "contact-email", "company-address.line1", "company-address.city",
                      "company-address.country", "company-phone"):
            assert f'<label for="{field}">' in html and f'id="{field}-error"' in html
        # the country: a list of the countries by name in the page's language (the code posted), each with its name
        # in the other language too, by which a name typed before the list is recognised (portal.js chooseCountry)
        germany = {"fr": ("Allemagne", "Germany"), "en": ("Germany", "Allemagne")}[locale]
        assert '<select id="company-address.country" name="address.country"' in html
        assert f'<option value="DE" data-name="{germany[1]}">{germany[0]}</option>' in html
        # the countries whose addresses write the city before the postcode say so: portal.js orders the fields by it
        uk = {"fr": ("Royaume-Uni", "United Kingdom"), "en": ("United Kingdom", "Royaume-Uni")}[locale]
        assert f'<option value="GB" data-name="{uk[1]}" data-city-first>{uk[0]}</option>' in html
        assert html.count("data-city-first>") == sum(addresses.city_first(code) for code, _ in countries(locale))
        assert html.index('id="company-postal-code-field"') < html.index('id="company-city-field"')


def test_quote_page_actions_are_the_one_blue_and_the_feedback_button_says_what_it_does():
    for locale, send in (("fr", "Envoyer mon retour"), ("en", "Send my feedback")):
        html = quote(locale, signer={"status": "pending", "path": "/sign/abcdefgh12"})
        assert '<a class="button" id="sign" href="/sign/abcdefgh12">' in html  # primary: blue, not green
        # one filled button, the sale's: the feedback's is outlined
        assert f'<button class="button secondary" type="submit" id="feedback-send">{send}</button>' in html
        assert "button success" not in html and ".button.success" not in html
        assert '<span class="badge sent" id="quote-status"' in html
        # the client's words for a quote sent to them, not the staff's "Envoyé"
        assert {"fr": ">En attente de votre réponse</span>", "en": ">Awaiting your answer</span>"}[locale] in html
        assert ".badge.sent,.badge.signing{background:#e0e8ff;color:#1a3a99}" in html  # blue, as in the staff app


def test_portal_labels_for_french_typography_and_dates():
    """The portal's script writes "Demandeur : …" (a non-breaking space before a French colon) and formats a
    date with Intl.DateTimeFormat in the page's language ("15 janv. 2027", "15 Jan 2027")."""
    assert logic.LABELS["fr"]["colon"] == "\u00a0:" and logic.LABELS["en"]["colon"] == ":"
    assert logic.LABELS["fr"]["date_locale"] == "fr-FR" and logic.LABELS["en"]["date_locale"] == "en-GB"
    html = R.render("portal.html", "fr", "N1", page="contract", contract_id="abc", labels=logic.LABELS["fr"],
                    other_locale="en")
    assert "L.requester + L.colon" in html and "day(m.due_date)" in html and 'id = "contract-status"' in html
    assert ".list .badge{margin-left:8px" in html  # a list's badge is not glued to the title before it


def test_portal_french_labels_hold_their_punctuation_with_a_no_break_space():
    """No line of a portal page starts with the '?' of the line before ("Une question, une remarque ?")."""
    assert breakable_spaces_in(logic.LABELS["fr"]) == {}


def test_a_refused_phone_number_reads_in_french():
    """The self-service forms' numbers are checked by the one rule of paraph_platform.phones (contracts'
    payload schemas): its message, word for word, is translated, as the staff app says it (an example, not the rule
    in words)."""
    js = (Path(logic.__file__).parent / "templates" / "portal.js").read_text()
    pattern = re.search(r"var phone = /\^(.+?)\$/\.exec\(m\);", js).group(1)
    for refusal in (PHONE_ERROR, phone_error("GB")):  # read in France, or in the customer's country
        national, international = re.fullmatch(pattern, refusal).groups()
        said = logic.LABELS["fr"]["phone_invalid"].replace("{national}", national).replace("{international}",
                                                                                          international)
        assert said == {PHONE_ERROR: "Numéro invalide\u00a0: ex. 06 12 34 56 78 ou +33 6 12 34 56 78.",
                        phone_error("GB"): "Numéro invalide\u00a0: ex. 07400 123456 ou +44 7400 123456."}[refusal]


def test_quote_lines_are_one_markup_for_the_desktop_table_and_the_phone_blocks():
    """The lines table keeps its six columns (a line has a discount); on a phone (style.css: table.lines) each
    line is a block whose discount and tax rate read "Remise 10 %", "TVA 20 %" from the cells' data-label, and an
    empty discount is not shown at all (so the cell must be truly empty)."""
    detail = {**DETAIL, "lines": [*DETAIL["lines"], {"description": "Garantie", "quantity": "1", "unit_price": "99",
                                                     "discount_pct": "10", "tax_rate": "5.5", "amount": "89.10",
                                                     "optional": True, "selected": True}]}
    for locale, discount, tax, optional in (("fr", "Remise", "TVA", "Options (non incluses)"),
                                            ("en", "Discount", "Tax", "Optional items (not included)")):
        html = R.render("quote.html", locale, "N", q=logic.quote_context(detail, locale, None), base="/q/tok",
                        other_locale="en")
        assert '<table class="lines" id="quote-lines">' in html and "<thead>" in html
        assert f'<th colspan="6" class="optional-title">{optional}</th>' in html  # the quote PDF's words
        assert html.count('<tr class="line">') == 1 and html.count('<tr class="optional-line">') == 1
        assert f'<td class="num discount" data-label="{discount}"></td>' in html  # no discount: an empty cell
        ten_percent = "10\u00a0%" if locale == "fr" else "10%"
        assert f'<td class="num discount" data-label="{discount}">{ten_percent}</td>' in html
        assert f'<th class="num">{discount}</th>' in html  # the cells carry their "%"
        assert f'<td class="num tax-rate" data-label="{tax}">' in html and '<td class="num amount">' in html
        assert f'<span class="badge accepted">{"retenu" if locale == "fr" else "selected"}</span>' in html
        assert "table.lines td:empty{display:none}" in html  # the phone's rule, in the page's own style


def test_quote_lines_are_headed_with_a_devis_words_and_a_discount_column_only_when_a_line_has_one():
    """The words of the staff quote page and the quote PDF ("Prix unitaire HT", "Montant HT"); no line with a
    discount (DETAIL's "0"): no column of empty cells. On a phone a discount reads "Remise 10 %", its "%" the
    cell's own (the stylesheet adds none)."""
    for locale, headings in (("fr", ["Désignation", "Qté", "Prix unitaire HT", "TVA", "Montant HT"]),
                             ("en", ["Description", "Qty", "Unit price (excl. tax)", "Tax", "Amount (excl. tax)"])):
        html = quote(locale)
        head = html.split("<thead>", 1)[1].split("</thead>", 1)[0]
        assert re.findall(r"<th[^>]*>([^<]*)</th>", head) == headings
        assert 'class="num discount"' not in html
    option = {"description": "Garantie", "quantity": "1", "unit_price": "99", "discount_pct": "10", "tax_rate": "20",
              "amount": "89.10", "optional": True}
    html = quote(more_lines=[option])  # an option's discount: the column, for every line of the table
    assert '<th class="num">Remise</th>' in html and '<th colspan="6" class="optional-title">' in html
    assert "td.discount::after" not in html
    assert '<th colspan="5" class="optional-title">' in quote(more_lines=[{**option, "discount_pct": "0"}])


SIGNED = {"role": "signer", "status": "signed", "path": None, "signed_at": "2026-12-07T07:27:18.123456Z",
          "request_status": "completed", "open": False, "signed_pdf": "/api/v1/sign/alice-token-1/signed.pdf",
          "proof_pdf": "/api/v1/sign/alice-token-1/proof.pdf"}


def test_a_signed_quote_says_when_as_its_other_dates_without_seconds():
    """"Signé le 7 déc. 2026, 07:27:18 UTC" stood next to "7 décembre 2026": the signature's day is written as the
    page's other days, its time without seconds; the page's script writes it in the reader's own zone (as the
    signing page does), this text staying for a browser without JavaScript."""
    for locale, shown in (("fr", "Signé le 7 décembre 2026 à 07:27 UTC"), ("en", "Signed on 7 December 2026 at 07:27 UTC")):
        html = quote(locale, signer=SIGNED)
        badge = re.search(r'<span class="badge signed" id="signed">(.*?)</span>', html).group(1)
        assert re.sub(r"<[^>]+>", "", badge) == shown
        assert '<time datetime="2026-12-07T07:27:18.123456Z" data-local-time>' in badge
        assert '<script nonce="NONCE123">' in html and client_pages.script() in html
        assert f'clientPages.localTimes({json.dumps(logic.LABELS[locale]["date_locale"])}, "long");' in html
        # the signed document, then its proof of signature (outlined) from the signer's link
        assert ('<a class="button secondary" id="proof-pdf" href="/api/v1/sign/alice-token-1/proof.pdf">'
                + logic.LABELS[locale]["proof_pdf"] + "</a>") in html
    assert "<script" not in quote()  # nothing to rewrite: no script


def test_a_signed_quote_offers_the_signed_document_not_the_pdf_sent_for_signature():
    """Once everybody signed, the download is the sealed document (filled) and its proof (outlined), as a DocuSign or
    Documenso reader expects: the quote's own PDF (the quote as sent for signature, unsigned) is no longer offered
    as if it were the document; a reader who did not sign gets the sealed copy from the page's own download. Before
    that (still sealing too), the quote's PDF."""
    def actions(html):
        section = html.split('id="quote-actions">', 1)[1].split("</section>", 1)[0]
        return re.findall(r'<a class="(button[^"]*)" id="([^"]+)"', section)

    for locale in ("fr", "en"):
        labels = logic.LABELS[locale]
        signed = quote(locale, signer=SIGNED)
        assert actions(signed) == [("button", "signed-pdf"), ("button secondary", "proof-pdf")]
        assert labels["download"] not in signed and "/q/tok/pdf" not in signed
        assert labels["signed_pdf"] in signed and 'id="signed"' in signed
        sealing = quote(locale, signer={**SIGNED, "request_status": "sealing", "signed_pdf": None, "proof_pdf": None})
        assert actions(sealing) == [("button secondary", "download")] and 'id="signed"' in sealing
        to_sign = quote(locale, signer={**SIGNED, "status": "pending", "path": "/sign/alice-token-1", "signed_at": None,
                                        "request_status": "pending", "signed_pdf": None, "proof_pdf": None})
        assert actions(to_sign) == [("button secondary", "download"), ("button", "sign")]
        assert actions(quote(locale)) == [("button secondary", "download")]
        # signed by everybody, read by a contact who did not sign it: the page's download is the sealed copy
        other_reader = quote(locale, signed_document=True)
        assert actions(other_reader) == [("button", "download")]
        assert labels["signed_pdf"] in other_reader and labels["download"] not in other_reader


@pytest.mark.browser
def test_a_signed_quote_says_when_in_the_readers_time_zone(browser):
    """In Chromium, in Paris: the signature made at 07:27 UTC reads 08:27, the zone named, the day as the page's
    dates ("7 décembre 2026"); no script error."""
    import base64

    from tests.e2e.web.browsing import by_id, screenshots
    browser.execute_cdp_cmd("Emulation.setTimezoneOverride", {"timezoneId": "Europe/Paris"})
    for locale, shown in (("en", "Signed on 7 December 2026 at 08:27 CET"), ("fr", "Signé le 7 décembre 2026 à 08:27 UTC+1")):
        html = quote(locale, signer=SIGNED, seller_name="Vendeur SA")
        browser.get("data:text/html;charset=utf-8;base64," + base64.b64encode(html.encode()).decode())
        assert [e for e in browser.get_log("browser") if e["source"] != "network"] == []
        assert by_id(browser, "signed").text == shown
    screenshots(browser, "online-quote-signed")


@pytest.mark.browser
def test_a_signed_quote_read_by_a_contact_who_did_not_sign_it_offers_the_signed_document(browser):
    """In Chromium, at 1280 and 375 px: the page's one action is the signed document, filled, within the screen."""
    import base64

    from tests.e2e.web.browsing import across_in_view, by_id, screenshots, scrolls_sideways
    html = quote("fr", signed_document=True, seller_name="Vendeur SA")
    browser.get("data:text/html;charset=utf-8;base64," + base64.b64encode(html.encode()).decode())
    offered = by_id(browser, "download")
    assert offered.text == "Télécharger le document signé"
    assert offered.value_of_css_property("color") in ("rgba(255, 255, 255, 1)", "rgb(255, 255, 255)")  # on blue
    screenshots(browser, "online-quote-signed-other-reader")
    browser.set_window_size(375, 900)
    assert not scrolls_sideways(browser) and across_in_view(browser, offered)
    browser.set_window_size(1280, 900)


def test_the_language_link_names_the_other_language_in_it():
    """The top bar's link says what it does: "English" on a French page, "Français" on an English one (not "EN",
    read as the page's own language as much as a switch), marked with the language it is in and leads to; the
    online quote and the portal share it (paraph_platform.client_pages)."""
    assert ('<a href="/q/tok?lang=en" id="lang-switch" lang="en" hreflang="en">English</a>' in quote("fr"))
    html = R.render("quote.html", "en", "N", q=logic.quote_context(DETAIL, "en", None), base="/q/tok",
                    other_locale="fr")
    assert '<a href="/q/tok?lang=fr" id="lang-switch" lang="fr" hreflang="fr">Français</a>' in html
    for locale, other, name in (("fr", "en", "English"), ("en", "fr", "Français")):
        html = R.render("portal.html", locale, "N", page="home", contract_id="", labels=logic.LABELS[locale],
                        other_locale=other)
        assert f'<a href="?lang={other}" id="lang-switch" lang="{other}" hreflang="{other}">{name}</a>' in html
        assert ">EN<" not in html and ">FR<" not in html
    assert client_pages.language_link('/q/"x?lang=en', "en").startswith('<a href="/q/&quot;x?lang=en"')


@pytest.mark.parametrize("locale, heading, entry, empty", [
    ("fr", "Vos documents", "Documents", "Aucun document n'est partagé avec vous pour le moment."),
    ("en", "Your documents", "Documents", "No document is shared with you yet.")])
def test_the_list_of_what_is_shared_is_named_for_documents_of_every_kind(locale, heading, entry, empty):
    """Quotes are shared as much as contracts (and orders, invoices): the list, its menu entry and its empty state
    say "documents", not "contracts"."""
    html = R.render("portal.html", locale, "N1", page="home", contract_id="", labels=logic.LABELS[locale],
                    other_locale="en")
    assert re.search(rf'<section class="card hidden" id="contracts">\s*<h1>{heading}</h1>', html)
    assert f'id="nav-contracts" class="auth-only hidden">{entry}</a>' in html
    assert f'<p class="muted hidden" id="no-contracts">{empty}</p>' in html.replace("&#39;", "'")
    assert not re.search(r"\b(Contrats|Contracts)\b", html)
