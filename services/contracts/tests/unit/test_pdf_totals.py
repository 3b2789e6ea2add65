"""The quote PDF's totals read as the staff quote page and the client's quote page do: "Total HT", one VAT line
for a single rate ("TVA 20 %"), a line per rate with its base then "Total TVA" for several, "Total TTC"."""
import re

import pytest

from contracts_service import pdf

LINE = {"product_code": "P1", "description": "Pose", "quantity": "2", "unit": "h", "unit_price": "450.00",
        "discount_pct": "0", "tax_rate": "20", "optional": False, "selected": False}


def quote_context(lines, locale):
    """What the default template is given for a quote with these lines."""
    sample = pdf.sample_context([], locale)
    contract = {**sample["contract"], "created_at": None, "valid_until": None}
    return pdf.build_context(contract=contract, customer=sample["customer"], contact=None, lines=lines, owner=None)


def document_html(lines, locale):
    """The default template's HTML of a quote with these lines."""
    return pdf.render_html(None, quote_context(lines, locale))


def totals_text(lines, locale):
    html = document_html(lines, locale)
    table = re.search(r'<table class="totals">(.*?)</table>', html, re.S).group(1)
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", table).replace("\u202f", " ").replace("\xa0", " ")).strip()


@pytest.mark.parametrize("locale,expected", [
    ("fr", "Total HT 900,00 € TVA 20 % 180,00 € Total TTC 1 080,00 €"),
    ("en", "Subtotal (excl. tax) €900.00 Tax 20% €180.00 Total (incl. tax) €1,080.00"),
])
def test_a_single_rate_is_one_vat_line(locale, expected):
    assert totals_text([LINE], locale) == expected


@pytest.mark.parametrize("locale,expected", [
    ("fr", "Total HT 930,00 € TVA 5,5 % sur 30,00 € 1,65 € TVA 20 % sur 900,00 € 180,00 € Total TVA 181,65 € "
           "Total TTC 1 111,65 €"),
    ("en", "Subtotal (excl. tax) €930.00 Tax 5.5% on €30.00 €1.65 Tax 20% on €900.00 €180.00 Total tax €181.65 "
           "Total (incl. tax) €1,111.65"),
])
def test_several_rates_are_broken_down_then_totalled(locale, expected):
    food = {**LINE, "description": "Café", "quantity": "1", "unit_price": "30.00", "tax_rate": "5.5"}
    assert totals_text([LINE, food], locale) == expected


def test_a_line_without_discount_leaves_its_discount_cell_empty():
    """As the staff pages and the client's quote page do: "0 %" read as a discount given."""
    sample = pdf.sample_context([], "fr")
    contract = {**sample["contract"], "created_at": None, "valid_until": None}
    discounted = {**LINE, "description": "Remisé", "discount_pct": "10"}
    context = pdf.build_context(contract=contract, customer=sample["customer"], contact=None,
                                lines=[LINE, discounted], owner=None)
    assert [line["discount"] for line in context["lines"]] == ["", "10\u00a0%"]


def lines_table(lines, locale):
    """The PDF's lines table: its headings, and each line's cells, as text."""
    table = re.search(r'<table class="lines">(.*?)</table>', document_html(lines, locale), re.S).group(1)

    def cells(row):
        return [re.sub(r"<[^>]+>", "", c).replace("\u202f", " ").replace("\xa0", " ").strip()
                for c in re.findall(r"<t[hd][^>]*>(.*?)</t[hd]>", row, re.S)]
    return [cells(row) for row in re.findall(r"<tr[^>]*>(.*?)</tr>", table, re.S)]


@pytest.mark.parametrize("locale,headings", [
    # a devis' words, as the staff quote page and the client's online quote write them
    ("fr", ["Désignation", "Qté", "Prix unitaire HT", "Remise", "TVA", "Montant HT"]),
    ("en", ["Description", "Qty", "Unit price (excl. tax)", "Discount", "Tax", "Amount (excl. tax)"]),
])
def test_the_discount_column_is_there_only_when_a_line_has_a_discount(locale, headings):
    discounted = {**LINE, "description": "Remisé", "discount_pct": "10"}
    head, *rows = lines_table([LINE, discounted], locale)
    assert head == headings and [len(row) for row in rows] == [6, 6]
    assert rows[1][3] == ("10 %" if locale == "fr" else "10%")
    # no line with a discount: no column of empty cells
    head, *rows = lines_table([LINE, {**discounted, "discount_pct": "0"}], locale)
    assert head == [h for h in headings if h not in ("Remise", "Discount")] and [len(row) for row in rows] == [5, 5]
    # an option's discount too (its row is in the same table), as the staff and client pages
    head, *rows = lines_table([LINE, {**discounted, "optional": True}], locale)
    assert head == headings and [len(row) for row in rows] == [6, 1, 6]  # the line, the options' heading, the option


def test_figures_headings_are_right_aligned_above_their_figures():
    assert '<th>Désignation</th><th class="num">Qté</th>' in document_html([LINE], "fr")
    assert "table.lines th.num { text-align: right; }" in pdf._stylesheet()


def figure_right_edges(pdf_bytes: bytes, texts: list[str]) -> list[float]:
    """Where each text (its first occurrence) ends on the PDF's first page, in points from the left."""
    import pypdfium2 as pdfium
    doc = pdfium.PdfDocument(pdf_bytes)
    try:
        page = doc[0].get_textpage()
        edges = []
        for text in texts:
            found = page.search(text).get_next()
            assert found, f"{text!r} not on the page"
            edges.append(page.get_charbox(found[0] + found[1] - 1)[2])
        return edges
    finally:
        doc.close()


@pytest.mark.parametrize("discount_pct", ["0", "10"])
def test_the_options_figures_stand_under_the_lines_columns(discount_pct):
    """The options are rows of the lines' table (a tbody of their own, as the online quote), not a table of their
    own whose columns were as wide as its own figures: each figure right under the included lines' one."""
    option = {**LINE, "description": "Extension de garantie", "quantity": "3", "unit": "", "unit_price": "120.00",
              "discount_pct": discount_pct, "optional": True}
    head, *rows = lines_table([LINE, option], "fr")
    assert [len(row) for row in rows] == [len(head), 1, len(head)]  # the line, the options' heading, the option
    assert rows[1] == ["Options (non incluses)"]
    rendered = pdf.render_pdf(document_html([LINE, option], "fr"), {})
    line_price, line_amount, option_price, option_amount = figure_right_edges(
        rendered, ["450,00", "900,00", "120,00", "324,00" if discount_pct == "10" else "360,00"])
    assert abs(option_price - line_price) < 0.5 and abs(option_amount - line_amount) < 0.5
