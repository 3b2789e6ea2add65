"""Default templates, sandboxed rendering and validation of a license's version."""
import pytest

from notify_service import templates as t
from notify_service.exceptions import InvalidInput, NotFound
from notify_service.template_catalog import CUSTOMER_TEMPLATES
from tests.typography import breakable_spaces_in

EVENTS_MD_NAMES = {"invitation", "client_invitation", "password_reset", "client_password_reset", "quote_send",
                   "quote_reminder", "contract_shared", "signature_request", "signature_reminder", "signature_otp",
                   "signature_completed", "quote_viewed", "quote_downloaded", "quote_feedback"}


def render_default(template, locale, **variables):
    return t.render(template, locale, t.default_parts(template, locale), {**t.sample_vars(template, locale), **variables})


def test_every_catalogued_template_has_valid_defaults_in_both_locales():
    assert EVENTS_MD_NAMES <= set(t.TEMPLATE_NAMES)
    for name in t.TEMPLATE_NAMES:
        for locale in ("fr", "en"):
            parts = t.default_parts(name, locale)
            assert t.validate(name, locale, parts)  # the defaults pass the rules admins must follow
            out = render_default(name, locale)
            assert out["subject"] and out["text"] and out["html"].startswith("<!doctype html>") and out["sms"]
            assert "\n" not in out["subject"]
            t.render(name, locale, parts, {})  # every variable may be missing
    assert t.default_parts("invitation", "fr")["subject"] != t.default_parts("invitation", "en")["subject"]


def test_an_email_greets_its_reader_by_name_or_without_one():
    # the first admin of a license is invited before anybody knows her name: "Bonjour,", not her email
    for name in t.TEMPLATE_NAMES:
        for locale, hello in (("fr", "Bonjour"), ("en", "Hello")):
            named, nameless = render_default(name, locale, name="Marie Curie"), render_default(name, locale, name="")
            assert named["text"].startswith(f"{hello} Marie Curie,\n") and f"<p>{hello} Marie Curie,</p>" in named["html"]
            assert nameless["text"].startswith(f"{hello},\n") and f"<p>{hello},</p>" in nameless["html"], (name, locale)


def test_invitation_carries_the_set_password_link():
    link = "https://paraph.test/set-password?token=SECRET&x=1"
    for locale, words in (("fr", "Définir mon mot de passe"), ("en", "Set my password")):
        out = render_default("invitation", locale, link=link, license_name="ACME Paris", inviter="")
        assert link in out["text"] and words in out["text"]
        assert 'href="https://paraph.test/set-password?token=SECRET&amp;x=1"' in out["html"]
        assert "ACME Paris" in out["subject"]
    fr = render_default("invitation", "fr", inviter="")
    assert "Vous êtes invité(e)" in fr["text"]


def test_french_elides_de_before_a_name_starting_with_a_vowel():
    assert render_default("client_invitation", "fr", license_name="Immo Conseil")["subject"] == \
        "Votre accès au portail client d'Immo Conseil"
    assert render_default("client_invitation", "fr", license_name="Paul & Fils")["subject"] == \
        "Votre accès au portail client de Paul & Fils"
    out = render_default("customer_self_updated", "fr", target="company", customer_name="Hôtel du Lac")
    assert "les coordonnées d'Hôtel du Lac" in out["text"] and "les coordonnées d&#39;Hôtel du Lac" in out["html"]
    assert "coordonnées d'Hôtel du Lac" in out["sms"]



@pytest.mark.parametrize("locale, phone, line2, unknown", [
    ("fr", "• Téléphone\u00a0: 03 20 00 00 00 → 03 20 11 22 33", "• Complément d'adresse\u00a0: — → Bâtiment B",
     "• vat_number\u00a0: — → FR1"),
    ("en", "• Phone: 03 20 00 00 00 → 03 20 11 22 33", "• Address (line 2): — → Bâtiment B", "• vat_number: — → FR1")])
def test_a_self_update_names_each_field_in_the_owners_language(locale, phone, line2, unknown):
    """The salesperson reads "Téléphone", not the event's "phone" (as the customer's History tab words it); a
    field the email does not know is written as the event names it."""
    changes = [{"field": "phone", "from": "03 20 00 00 00", "to": "03 20 11 22 33"},
               {"field": "address.line2", "from": "", "to": "Bâtiment B"},
               {"field": "vat_number", "from": "", "to": "FR1"}]
    out = render_default("customer_self_updated", locale, changes=changes)
    for line in (phone, line2, unknown):
        assert line in out["text"]
    assert "address.line2" not in out["text"] and "address.line2" not in out["html"]

def test_quote_send_and_reminder_link_to_the_document_and_differ():
    for locale, label in (("fr", "Consulter le devis"), ("en", "View the quote")):
        send = render_default("quote_send", locale, link="https://p.test/q/1")
        remind = render_default("quote_reminder", locale, link="https://p.test/q/1")
        for out in (send, remind):
            assert f"{label}" in out["text"] and "https://p.test/q/1" in out["text"]
            assert label in out["html"] and 'href="https://p.test/q/1"' in out["html"]
        assert send["subject"] != remind["subject"] and send["text"] != remind["text"]
    assert render_default("quote_reminder", "fr")["subject"].startswith("Relance\u00a0: devis")  # kept whole


@pytest.mark.parametrize("locale, button, sign", [
    ("fr", "Consulter le devis", "le signer en ligne, depuis le bouton ci-dessus."),
    ("en", "View the quote", "sign it online, from the button above.")])
def test_a_quote_email_says_what_its_button_opens_and_is_no_page(locale, button, sign):
    """An email is not a page ("depuis cette page"): the signature is offered from the button above, which says
    what it opens (the quote, not "the document"); the SMS says it as the button does."""
    for name in ("quote_send", "quote_reminder"):
        out = render_default(name, locale, link="https://p.test/q/1", sign=True)
        assert out["text"].index(button) < out["text"].index(sign) and f">{button}</a>" in out["html"]
        assert "page" not in out["text"].replace("https://p.test/q/1", "") and button in out["sms"]
        assert sign not in render_default(name, locale, link="https://p.test/q/1", sign=False)["text"]


def test_a_document_number_stays_on_one_line_in_the_html_email():
    """A mail app breaks a line after a hyphen ("Q-" over "2026-00001" on a phone): every built-in email's HTML
    keeps the number in one piece, as a license's own text turned into HTML does; the plain text and the links
    are left as they are."""
    whole = '<span style="white-space:nowrap">Q-2026-00001</span>'
    for name in t.TEMPLATE_NAMES:
        for locale in ("fr", "en"):
            out = render_default(name, locale, number="Q-2026-00001", link="https://p.test/q/Q-2026-00001")
            body = out["html"].replace('"https://p.test/q/Q-2026-00001"', "").replace(">https://p.test/q/Q-2026-00001<", "")
            if "Q-2026-00001" in body:
                assert body.count("Q-2026-00001") == body.count(whole), (name, locale)
            assert whole not in out["text"] + out["subject"] + out["sms"]
    out = render_default("quote_send", "fr", number="Q-2026-00001")
    assert f"notre devis {whole}" in out["html"] and "notre devis Q-2026-00001" in out["text"]
    marked = render_default("quote_send", "fr", number="<b>Q-1</b>")["html"]  # still escaped
    assert '&lt;b&gt;<span style="white-space:nowrap">Q-1</span>&lt;/b&gt;' in marked and "<b>" not in marked
    own = t.validate("quote_send", "fr", {"subject": "Devis {{ number }}",
                                          "text": "Voici le devis {{ number }} : {{ link }}"})
    html = t.render("quote_send", "fr", own, {"number": "Q-2026-00001", "link": "https://p.test/q/Q-2026-00001"})["html"]
    assert f"le devis {whole} : " in html and '<a href="https://p.test/q/Q-2026-00001"' in html


def test_html_is_autoescaped_and_text_is_not():
    out = render_default("quote_send", "fr", message="<script>alert(1)</script>\nligne 2", name="A & B")
    assert "<script>" not in out["html"] and "&lt;script&gt;" in out["html"] and "<br>" in out["html"]
    assert "A &amp; B" in out["html"] and "Bonjour A & B," in out["text"]


def test_dates_are_formatted_per_locale():
    # in Paris time unless told otherwise (winter: UTC+1), the zone named after the hour
    assert t.format_datetime("2030-01-31T18:00:00Z", "fr") == "31 janvier 2030 à 19:00 (heure de Paris)"
    assert t.format_datetime("2030-01-31T18:00:00+01:00", "en") == "31 January 2030 at 18:00 (Paris time)"
    assert t.format_date("2030-02-28", "fr") == "28 février 2030"
    # the first of a month, as French writes it (paraph_platform.dates)
    assert t.format_date("2030-03-01", "fr") == "1er mars 2030"
    assert t.format_datetime("2030-03-01T18:00:00Z", "fr") == "1er mars 2030 à 19:00 (heure de Paris)"
    assert t.format_date("2030-03-01", "en") == "1 March 2030"
    assert t.format_date("not a date", "fr") == "not a date"


def test_a_us_companys_english_emails_write_dates_month_first():
    """A company of the United States (the license's country) reads its English emails month first on the 12-hour
    clock, as its staff pages (paraph_platform.dates); a British company, or one notify does not know the country
    of, day first; French emails are France's whatever the country."""
    assert t.format_date("2026-12-07", "en", "America/New_York", "US") == "December 7, 2026"
    assert t.format_date("2026-12-07", "en", "Europe/London", "GB") == "7 December 2026"
    assert t.format_datetime("2026-12-07T20:08:00Z", "en", "America/New_York", "US") == \
        "December 7, 2026 at 3:08 PM (New York time)"
    assert t.format_datetime("2026-12-07T20:08:00Z", "en", "Europe/London", "GB") == \
        "7 December 2026 at 20:08 (London time)"
    assert t.format_datetime("2026-12-07T20:08:00Z", "fr", "America/New_York", "US") == \
        "7 décembre 2026 à 15:08 (heure de New York)"
    parts = t.default_parts("quote_viewed", "en")
    us = t.render("quote_viewed", "en", parts, {"at": "2030-07-15T16:40:00Z"}, "America/New_York", "US")
    assert "on July 15, 2030 at 12:40 PM (New York time)" in us["text"] and "July 15, 2030" in us["html"]
    gb = t.render("quote_viewed", "en", parts, {"at": "2030-07-15T16:40:00Z"}, "Europe/London", "GB")
    assert "on 15 July 2030 at 17:40 (London time)" in gb["text"]
    assert "15 July 2030" in t.render("quote_viewed", "en", parts, {"at": "2030-07-15T16:40:00Z"}, "UTC")["text"]


def test_times_are_written_in_the_license_time_zone():
    """A Paris salesperson read "06:40 (UTC)" for a quote viewed at 08:40 their time: times are the license's."""
    assert t.format_datetime("2030-07-15T06:40:00Z", "fr", "Europe/Paris") == "15 juillet 2030 à 08:40 (heure de Paris)"
    assert t.format_datetime("2030-07-15T06:40:00Z", "fr", "America/New_York") == \
        "15 juillet 2030 à 02:40 (heure de New York)"
    assert t.format_datetime("2030-07-15T06:40:00Z", "fr", "Europe/Amsterdam").endswith("(heure d'Amsterdam)")
    assert t.format_datetime("2030-07-15T06:40:00Z", "en", "UTC") == "15 July 2030 at 06:40 (UTC)"
    # a moment's day is the zone's (23:30 UTC is already the next day in Paris); a calendar day never moves
    assert t.format_date("2030-01-15T23:30:00Z", "fr", "Europe/Paris") == "16 janvier 2030"
    assert t.format_date("2030-01-15", "fr", "America/New_York") == "15 janvier 2030"
    # a zone the database does not know: Paris time, never an error
    assert t.format_datetime("2030-07-15T06:40:00Z", "fr", "Mars/Olympus") == \
        "15 juillet 2030 à 08:40 (heure de Paris)"
    out = render_default("quote_viewed", "fr", at="2030-07-15T06:40:00Z")
    assert "le 15 juillet 2030 à 08:40 (heure de Paris)" in out["text"]
    out = t.render("quote_viewed", "en", t.default_parts("quote_viewed", "en"), {"at": "2030-07-15T06:40:00Z"},
                   "America/Montreal")
    assert "on 15 July 2030 at 02:40 (Montreal time)" in out["text"] and "02:40 (Montreal time)" in out["html"]


def test_the_signers_copy_of_a_signed_document_comes_from_the_company_the_owners_from_paraph():
    """signature_completed goes to the signers (customers): signed by the company, as their other emails;
    the salesperson's copy (signature_completed_owner) keeps the staff's signature."""
    for locale, team, regards in (("fr", "L'équipe Paraph", "Cordialement,"),
                                  ("en", "The Paraph team", "Best regards,")):
        signer = render_default("signature_completed", locale, license_name="ACME Paris")
        owner = render_default("signature_completed_owner", locale, license_name="ACME Paris")
        assert signer["text"].rstrip().endswith(f"{regards}\nACME Paris") and team not in signer["text"]
        assert "Paraph" not in signer["sms"] and signer["sms"].startswith("ACME Paris")
        assert owner["text"].rstrip().endswith(team) and owner["subject"] == signer["subject"]
    assert "signature_completed_owner" in t.TEMPLATE_NAMES
    assert set(CUSTOMER_TEMPLATES) <= set(t.TEMPLATE_NAMES) and "signature_completed_owner" not in CUSTOMER_TEMPLATES


def test_a_customers_sms_starts_with_the_company_a_staff_members_with_paraph():
    """A customer of ACME Paris does not know Paraph: the SMS of the emails the company's customers receive start
    with its name, or the salesperson's (signature_request), never "Paraph"; the staff's keep theirs."""
    for locale in ("fr", "en"):
        for name in CUSTOMER_TEMPLATES:
            sms = render_default(name, locale, license_name="ACME Paris")["sms"]
            assert "Paraph" not in sms, (name, locale, sms)
        for name in ("contract_shared", "signature_otp", "signature_cc", "client_password_reset",
                     "signature_reminder"):
            assert render_default(name, locale, license_name="ACME Paris")["sms"].startswith("ACME Paris"), name
        for name in ("invitation", "password_reset", "contract_shared_owner", "signature_completed_owner",
                     "quote_viewed", "signature_declined"):
            assert render_default(name, locale)["sms"].startswith("Paraph"), name
    assert render_default("signature_otp", "fr", license_name="ACME Paris", code="482913")["sms"] == \
        "ACME Paris : votre code de signature est 482913 (valable 10 min). Ne le communiquez à personne."


def test_a_customers_sms_without_the_companys_name_starts_with_what_follows_it():
    """Identity did not answer: the name is empty, and the SMS starts with the words after it, capitalised (never
    " : votre code…"), the built-in SMS and a license's own alike."""
    for locale in ("fr", "en"):
        for name in t.TEMPLATE_NAMES:
            sms = render_default(name, locale, license_name="")["sms"]
            assert sms[:1].isupper() or sms[:1].isdigit(), (name, locale, sms)
    link = "https://p.test/sign/abc"
    assert render_default("signature_otp", "fr", license_name="", code="482913")["sms"] == \
        "Votre code de signature est 482913 (valable 10 min). Ne le communiquez à personne."
    assert render_default("signature_reminder", "fr", license_name="ACME Paris", link=link)["sms"] == \
        f"ACME Paris : rappel, le document D-2025-0042 attend votre signature : {link}"
    assert render_default("signature_reminder", "fr", license_name="", link=link)["sms"] == \
        f"Rappel, le document D-2025-0042 attend votre signature : {link}"
    assert render_default("signature_reminder", "en", license_name="", link=link, action="approve")["sms"] == \
        f"Reminder, document D-2025-0042 is waiting for your approval: {link}"
    assert render_default("client_password_reset", "en", license_name="", link=link)["sms"] == \
        f"Reset your customer portal password: {link}"
    own = dict(t.default_parts("quote_send", "fr"), sms="{{ license_name }} :   devis {{ number }} : {{ link }}")
    assert t.render("quote_send", "fr", own, {"number": "D-1", "link": link})["sms"] == f"Devis D-1 : {link}"
    # a colon elsewhere stays
    assert render_default("quote_send", "fr", license_name="ACME Paris", link=link)["sms"].startswith("ACME Paris :")


def test_a_document_shared_on_the_portal_reads_as_the_clients_and_as_the_salespersons():
    """contract_shared goes to the portal's clients (from the company) and, when someone else shared it, to the
    document's owner: their copy (contract_shared_owner) is the staff's, signed by Paraph's team."""
    for locale, team, regards in (("fr", "L'équipe Paraph", "Cordialement,"),
                                  ("en", "The Paraph team", "Best regards,")):
        client = render_default("contract_shared", locale, license_name="ACME Paris")
        owner = render_default("contract_shared_owner", locale, license_name="ACME Paris", shared_by="Anne Roy")
        assert client["text"].rstrip().endswith(f"{regards}\nACME Paris") and team not in client["text"]
        assert owner["text"].rstrip().endswith(team) and "Anne Roy" in owner["text"]
        assert owner["subject"] == client["subject"]
    assert "par Anne Roy\u00a0: les contacts du client" in \
        render_default("contract_shared_owner", "fr", shared_by="Anne Roy")["text"]
    assert "contract_shared" in CUSTOMER_TEMPLATES and "contract_shared_owner" not in CUSTOMER_TEMPLATES


def test_a_clients_password_reset_is_her_companys_portal():
    """A person who is only a client resets the password of her company's portal (identity chooses the template):
    named and signed by the company; a Paraph account's reset stays Paraph's."""
    link = "https://paraph.test/reset-password?token=SECRET"
    fr = render_default("client_password_reset", "fr", license_name="Immo Conseil", link=link)
    assert fr["subject"] == "Réinitialisation de votre mot de passe du portail client d'Immo Conseil"
    assert link in fr["text"] and fr["text"].rstrip().endswith("Cordialement,\nImmo Conseil")
    assert "Paraph" not in fr["subject"] + fr["sms"]
    en = render_default("client_password_reset", "en", license_name="ACME Paris", link=link)
    assert en["subject"] == "Reset your password for the ACME Paris customer portal" and "Paraph" not in en["subject"]
    assert "client_password_reset" in CUSTOMER_TEMPLATES and "password_reset" not in CUSTOMER_TEMPLATES
    assert render_default("password_reset", "fr")["text"].rstrip().endswith("L'équipe Paraph")
    with pytest.raises(InvalidInput):  # a version without the link is refused, as for the staff's reset
        t.validate("client_password_reset", "fr", {"subject": "x", "text": "Bonjour"})


def test_a_zone_is_named_after_its_place_as_people_write_it():
    """The zones the license settings page offers are named as it names them: "heure de La Réunion", not
    "heure de Reunion"; any other, after its key."""
    at = "2030-07-15T06:40:00Z"
    assert t.format_datetime(at, "fr", "Indian/Reunion") == "15 juillet 2030 à 10:40 (heure de La Réunion)"
    assert t.format_datetime(at, "en", "Indian/Reunion") == "15 July 2030 at 10:40 (Réunion time)"
    assert t.format_datetime(at, "fr", "America/Martinique").endswith("à 02:40 (heure de la Martinique)")
    assert t.format_datetime(at, "fr", "Pacific/Noumea").endswith("à 17:40 (heure de la Nouvelle-Calédonie)")
    assert t.format_datetime(at, "fr", "America/Montreal").endswith("(heure de Montréal)")
    assert t.format_datetime(at, "fr", "Europe/London").endswith("à 07:40 (heure de Londres)")
    assert t.format_datetime(at, "fr", "Asia/Tokyo").endswith("à 15:40 (heure de Tokyo)")
    assert t.format_datetime(at, "fr", "America/Argentina/Buenos_Aires").endswith("(heure de Buenos Aires)")


def test_unknown_variables_are_refused_on_save_with_field_errors():
    with pytest.raises(InvalidInput) as err:
        t.validate("invitation", "fr", {"subject": "Bienvenue {{ firstname }}", "text": "Lien : {{ link }}"})
    assert "firstname" in err.value.details["fields"]["subject"][0]
    assert err.value.status == 422


def test_syntax_errors_missing_links_and_sandbox_escapes_are_refused():
    cases = [
        ({"subject": "x", "text": "{% if link %}oops {{ link }}"}, "text", "syntax error"),
        ({"subject": "x", "text": "Bonjour {{ name }}"}, "text", "must contain {{ link }}"),
        ({"subject": "x", "text": "{{ link }}", "html": "<p>{{ name }}</p>"}, "html", "must contain {{ link }}"),
        ({"subject": "x", "text": "{{ link }} {{ name.__class__.__mro__ }}"}, "text", ""),
        ({"subject": "x", "text": "{{ link }} {{ 'a' * 100000 }}"}, "text", "not allowed"),
        ({"subject": "x", "text": "{{ link }}{% for i in range(10) %}{% endfor %}"}, "text", "range"),
        ({"subject": "x", "text": "{{ link|nosuchfilter }}"}, "text", "nosuchfilter"),
        ({"subject": "a\nb", "text": "{{ link }}"}, "subject", "single line"),
        ({"text": "{{ link }}"}, "subject", "required"),
    ]
    for parts, field, words in cases:
        with pytest.raises(InvalidInput) as err:
            t.validate("quote_send", "fr", parts)
        messages = err.value.details["fields"][field]
        assert words in " ".join(messages), (parts, messages)


def test_a_valid_custom_template_is_kept_and_html_derived_from_text():
    parts = t.validate("quote_send", "en", {"subject": "Our quote {{ number }}",
                                            "text": "Hi {{ name }},\n\nHere it is: {{ link }}\n\nBye"})
    assert parts["html"] is None and parts["sms"] is None
    out = t.render("quote_send", "en", parts, {"name": "Jo <Jo>", "number": "Q1", "link": "https://p.test/q?a=1&b=2"})
    assert out["subject"] == "Our quote Q1"
    assert "Jo &lt;Jo&gt;" in out["html"] and '<a href="https://p.test/q?a=1&amp;b=2"' in out["html"]
    # the default SMS (no license_name here: it starts with the words after it)
    assert out["sms"] == "Your quote Q1 is available. View the quote: https://p.test/q?a=1&b=2"


def test_a_custom_text_keeping_the_built_in_link_line_keeps_its_button_and_footer():
    """A license that edits only the wording keeps the look of the built-in email: its HTML, derived from the
    text, shows the link line the text kept ("View the quote: <link>", or the button's former "View the document:
    <link>") as the built-in button, the link spelled out under it, and the footer; a link in words of its own
    stays a link in the paragraph."""
    default_text = t.default_parts("quote_send", "fr")["text"]
    custom = {"subject": "Votre devis {{ number }}", "text": default_text.replace("Bonjour", "Chère cliente, cher client")}
    variables = {**t.sample_vars("quote_send", "fr"), "link": "https://p.test/q?a=1&b=2", "license_name": "ACME <Paris>"}
    html = t.render("quote_send", "fr", t.validate("quote_send", "fr", custom), variables)["html"]
    built_in = t.render("quote_send", "fr", t.default_parts("quote_send", "fr"), variables)["html"]
    button = '<a href="https://p.test/q?a=1&amp;b=2" style="display:inline-block;background:#1f4fd1;'
    assert html.count(button) == 1 and built_in.count(button) == 1
    assert ">Consulter le devis</a>" in html and "Si le bouton ne fonctionne pas" in html
    assert "Consulter le devis\u00a0: https://" not in html  # the line became the button
    # a text saved while the button said "Accéder au document" keeps its button, in its words
    former = {**custom, "text": custom["text"].replace("Consulter le devis", "Accéder au document")}
    html = t.render("quote_send", "fr", t.validate("quote_send", "fr", former), variables)["html"]
    assert html.count(button) == 1 and ">Accéder au document</a>" in html
    assert "ACME &lt;Paris&gt; · Envoyé par Paraph" in html and "ACME &lt;Paris&gt; · Envoyé par Paraph" in built_in
    own_words = t.validate("quote_send", "en", {"subject": "Q", "text": "Here it is: {{ link }}"})
    html = t.render("quote_send", "en", own_words, {"link": "https://p.test/q"})["html"]
    assert button.replace("?a=1&amp;b=2", "") not in html
    assert '<p>Here it is: <a href="https://p.test/q" style="color:#1f4fd1;word-break:break-all">' in html


def test_names_and_locales_are_checked():
    with pytest.raises(NotFound):
        t.check_name("nope")
    with pytest.raises(InvalidInput):
        t.check_locale("de")


def test_render_errors_are_reported_not_raised_raw():
    with pytest.raises(t.RenderError):
        t.render("quote_send", "fr", {"subject": "{{ unknown_thing }}", "text": "x"}, {})


def test_a_one_time_code_is_never_in_a_subject_and_is_masked_for_the_log():
    for locale in ("fr", "en"):
        out = render_default("signature_otp", locale, code="731904")
        assert "731904" not in out["subject"] and "D-2025-0042" in out["subject"]
        assert "731904" in out["text"] and "731904" in out["html"] and "731904" in out["sms"]
        logged = render_default("signature_otp", locale, **t.masked("signature_otp", {"code": "731904"}))
        assert "731904" not in logged["sms"] and t.SECRET_MASK in logged["sms"]
    # a license's version may not put the code in the subject...
    parts = {**t.default_parts("signature_otp", "en"), "subject": "Code {{ code }}"}
    with pytest.raises(InvalidInput) as refused:
        t.validate("signature_otp", "en", parts)
    assert "subject" in refused.value.details["fields"]
    # ...and one saved before that rule existed still renders the subject masked
    out = t.render("signature_otp", "en", parts, {"code": "731904"})
    assert out["subject"] == f"Code {t.SECRET_MASK}" and "731904" in out["text"]
    assert t.masked("invitation", {"link": "x"}) == {"link": "x"}


def test_french_emails_hold_their_punctuation_with_a_no_break_space_and_sms_keep_plain_spaces():
    """An email never breaks a line before a French colon ("Motif : ..."); an SMS keeps ASCII spaces: U+00A0 is
    not in the GSM-7 alphabet, and one would send the whole SMS as UCS-2, in twice as many segments."""
    for name in t.TEMPLATE_NAMES:
        parts = t.default_parts(name, "fr")
        assert breakable_spaces_in({part: parts[part] for part in ("subject", "text", "html")}, name) == {}
        for locale in ("fr", "en"):
            assert not {"\u00a0", "\u202f"} & set(t.default_parts(name, locale)["sms"]), (name, locale)


@pytest.mark.browser
def test_on_a_phone_the_emails_document_number_is_never_cut(browser):
    """At every phone width, in Chromium, the quote email's number sits on one line (not "Q-" at a line's end and
    "2026-00001" at the next one's start)."""
    import base64

    from tests.e2e.web.browsing import lines_of, screenshots
    html = render_default("quote_send", "fr", number="Q-2026-00001", title="Équipement atelier", sign=True,
                          link="https://paraph.test/q/abc")["html"]
    browser.get("data:text/html;charset=utf-8;base64," + base64.b64encode(html.encode()).decode())
    [paragraph] = [p for p in browser.find_elements("tag name", "p") if "Q-2026-00001" in p.text]
    for width in range(320, 481, 4):
        browser.set_window_size(width, 900)
        assert lines_of(browser, paragraph, "Q-2026-00001") == 1, width
    screenshots(browser, "email-quote-send")
