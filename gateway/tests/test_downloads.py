"""Downloads keep their header well-formed whatever the file's name (an ERP document number, an upload)."""
from paraph_gateway.downloads import content_disposition


def test_a_plain_name_is_quoted_as_is():
    assert content_disposition("D-2026-0042.pdf") == 'attachment; filename="D-2026-0042.pdf"'
    assert content_disposition("proof.pdf", inline=True) == 'inline; filename="proof.pdf"'


def test_control_characters_quotes_and_backslashes_cannot_split_or_break_the_header():
    header = content_disposition('FA\r\nSet-Cookie: x=1"\\.pdf')
    assert "\r" not in header and "\n" not in header
    assert header == 'attachment; filename="FASet-Cookie: x=1.pdf"'


def test_a_name_beyond_ascii_gets_an_ascii_fallback_and_its_exact_utf8_form():
    assert content_disposition("Facture été €.pdf") == (
        "attachment; filename=\"Facture ete .pdf\"; filename*=UTF-8''Facture%20%C3%A9t%C3%A9%20%E2%82%AC.pdf")
    assert content_disposition("合同.pdf").startswith('attachment; filename=".pdf"; filename*=UTF-8\'\'')
    assert content_disposition("\r\n") == 'attachment; filename="download"'


def test_the_ascii_fallback_spells_a_french_titles_typography():
    header = content_disposition("Lettre d’engagement — sœur «Dupont»-signed.pdf")
    assert header.startswith('attachment; filename="Lettre d\'engagement - soeur Dupont-signed.pdf"; filename*=UTF-8\'\'')
    assert "Lettre%20d%E2%80%99engagement%20%E2%80%94%20s%C5%93ur" in header
