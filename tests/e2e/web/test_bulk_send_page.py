"""Envoi en masse (issue 15), driven as the salesperson in headless Chromium: reached from the documents sent for
signature, a PDF and a CSV of 5 recipients (its columns named in French, row 3 without a name) sent; the job's page follows the progress by
itself (htmx, every 2 s) until it is finished, lists the row refused and links to the 4 requests created."""
from __future__ import annotations

import pytest
from signing_service import testing as esign

from .browsing import by_id, text_of
from .test_admin_area import css, h1, navigate, notice

pytestmark = [pytest.mark.integration, pytest.mark.e2e, pytest.mark.browser]

EXTRA_SERVICES = ("signing",)


def test_bulk_send_page_follows_the_job(web_system, staff, browser, sign_in, screenshot, tmp_path):
    w = web_system
    sign_in(browser, staff.email["sales"])
    browser.get(w.url + "/signatures/documents")
    navigate(browser, "bulk-send-link")
    assert h1(browser) == "Envoi en masse"
    assert "Aucun envoi en masse" in by_id(browser, "main").text
    # the columns to name, as code, in French (their English names are read too)
    assert [code.text for code in css(browser, "#bulk-csv-hint code")] == ["nom", "email", "téléphone"]
    assert by_id(browser, "back-to-documents").text == "Retour aux envois en signature"

    pdf, rows = tmp_path / "bienvenue.pdf", tmp_path / "clients.csv"
    pdf.write_bytes(esign.pdf_file(1))
    rows.write_text("Nom;Courriel\nAnne Un;anne@bulk.test\nBruno Deux;bruno@bulk.test\n;sans-nom@bulk.test\n"
                    "Chloé Quatre;chloe@bulk.test\nDavid Cinq;david@bulk.test\n", encoding="utf-8")
    by_id(browser, "bulk-document").send_keys(str(pdf))
    by_id(browser, "bulk-csv").send_keys(str(rows))
    by_id(browser, "bulk-title").send_keys("Pack de bienvenue")
    by_id(browser, "bulk-message").send_keys("Merci de signer.")
    screenshot(browser, "bulk-send-form")
    navigate(browser, "bulk-send-submit")
    assert "son avancement et ses résultats s'affichent ci-dessous" in notice(browser)

    # no reload: the progress block is refreshed by htmx until the job is finished
    w.wait(lambda: text_of(browser, "bulk-status") == "Terminé", message="the bulk send to finish on its page")
    # the notice stays true above a finished job (it said "the requests are created in the background")
    assert "arrière-plan" not in notice(browser)
    assert " ".join(by_id(browser, "bulk-counts").text.split()) == "4 demandes créées, 1 ligne refusée, sur 5 lignes."
    [refused] = css(browser, "#bulk-errors tbody tr")
    assert refused.get_attribute("data-row") == "3" and "sans-nom@bulk.test" in refused.text
    assert "Le nom manque." in refused.text
    links = css(browser, "#bulk-requests tbody a")
    assert [a.text for a in links] == ["anne@bulk.test", "bruno@bulk.test", "chloe@bulk.test", "david@bulk.test"]
    row_number = css(browser, "#bulk-requests tbody td")[0]
    assert row_number.size["width"] < 80  # the row's number, not a share of the table's width
    screenshot(browser, "bulk-send-job")
    navigate(browser, links[0])
    assert h1(browser) == "Pack de bienvenue"

    browser.get(w.url + "/signatures/bulk")
    [listed] = css(browser, "#bulk-sends tbody tr")
    assert listed.get_attribute("data-status") == "completed" and "Pack de bienvenue" in listed.text
    screenshot(browser, "bulk-send-list")
