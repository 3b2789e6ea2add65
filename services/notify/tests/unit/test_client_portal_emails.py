"""The emails of the client portal's people (template_defaults.toml): the invitation says what the portal is for
(GEM-BOOKS: the client consults what is shared with them and keeps their own details up to date), and an
observer's copy of a share says they are copied, on whose request (LEXZUR), not the requester's words again. A
license's own version of these templates stays as it saved it."""
import html
import re

import pytest

from notify_service import templates as t


def render_default(template, locale, **variables):
    return t.render(template, locale, t.default_parts(template, locale), {**t.sample_vars(template, locale), **variables})


@pytest.mark.parametrize("locale, shared, details", [
    ("fr", "consulterez les devis, contrats et documents partagés avec vous",
     "tiendrez aussi à jour vos coordonnées et celles de votre entreprise"),
    ("en", "view the quotes, contracts and documents it shares with you",
     "keep your own details and your company's up to date")])
def test_the_client_invitation_says_what_the_portal_is_for(locale, shared, details):
    out = render_default("client_invitation", locale, license_name="ACME Paris", user_code="8005551216")
    for words in (shared, details, "8005551216"):
        assert words in out["text"] and words in out["html"], words
    # said before the password is asked for
    assert out["text"].index(details) < out["text"].index("8005551216")


@pytest.mark.parametrize("locale, copied", [
    ("fr", "Vous êtes en copie, en tant qu'observateur\u00a0: le demandeur de ce document est Mireille Couture."),
    ("en", "You are copied as an observer: Mireille Couture is the requester of this document.")])
def test_an_observer_reads_that_they_are_copied_and_on_whose_request(locale, copied):
    requester = render_default("contract_shared", locale, role="requester", requester="")
    observer = render_default("contract_shared", locale, role="observer", requester="Mireille Couture")
    assert copied in observer["text"] and copied in observer["html"]
    assert observer["text"] != requester["text"]
    assert "observ" not in requester["text"] and "observ" not in requester["html"]
    # an observer whose requester is not known is still told they are copied
    unnamed = render_default("contract_shared", locale, role="observer", requester="")
    assert copied.split(":")[0].split("\u00a0")[0] + "." in unnamed["text"] and "Mireille" not in unnamed["text"]


@pytest.mark.parametrize("locale, kinds, found", [
    ("fr", {"quote": "Le devis D-2025-0042", "contract": "Le contrat D-2025-0042", "invoice": "Le document D-2025-0042",
            "": "Le document D-2025-0042"},
     "Le bouton ci-dessous l'ouvre sur le portail, où vous pouvez le consulter et en télécharger le PDF."),
    ("en", {"quote": "Quote D-2025-0042", "contract": "Contract D-2025-0042", "invoice": "Document D-2025-0042",
            "": "Document D-2025-0042"},
     "The button below opens it on the portal, where you can view it and download its PDF.")])
def test_a_shared_document_says_what_it_is_and_what_its_link_opens(locale, kinds, found):
    """The email's button opens the document's own page on the portal (portal's portal_contract_url), not a list: it
    says so, names a quote a quote (the portal's "Contrats" list page, which it used to send the reader to, is not
    where the link goes), and the salesperson's copy says the same of the customer's contacts."""
    for kind, named in kinds.items():
        out = render_default("contract_shared", locale, kind=kind)
        # the HTML as read: its tags (a number kept on one line) and entities undone
        read = {"text": out["text"], "html": html.unescape(re.sub(r"<[^>]+>", "", out["html"]))}
        for part, words in read.items():
            assert named in words and found in words, (kind, part)
            assert "Contrats" not in words and "Contracts" not in words
    owner = render_default("contract_shared_owner", locale, shared_by="Anne Roy")["text"]
    assert "Contrats" not in owner and "Contracts" not in owner and "PDF" in owner


def test_a_licenses_own_version_stays_as_it_saved_it_and_may_use_the_requester():
    """A license saved its own wording (a row of its own, read instead of the built-in one): the new sentences are
    not added to it; its next version may name the requester."""
    own = t.validate("client_invitation", "fr", {"subject": "Votre accès", "text": "Bonjour,\n\nVotre lien : {{ link }}"})
    out = t.render("client_invitation", "fr", own, {"link": "https://p.test/set-password?token=x"})
    assert "coordonnées" not in out["text"] and "coordonnées" not in out["html"]
    shared = t.validate("contract_shared", "en", {"subject": "{{ number }}",
                                                  "text": "Copied for {{ requester }}: {{ link }}"})
    assert t.render("contract_shared", "en", shared, {"requester": "Jo", "link": "https://p.test/portal"}
                    )["text"].strip() == "Copied for Jo: https://p.test/portal"
