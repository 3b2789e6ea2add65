"""The quote PDF's totals read as the staff quote page and the client's quote page do: "Total HT", one VAT line
for a single rate ("TVA 20 %"), a line per rate with its base then "Total TVA" for several, "Total TTC"."""
import re

import pytest

from contracts_service import pdf

LINE = {"product_code": "P1", "description": "Pose", "quantity": "2", "unit": "h", "unit_price": "450.00",
        "discount_pct": "0", "tax_rate": "20", "optional": False, "selected": False}


def totals_text(lines, locale):
    sample = pdf.sample_context([], locale)
    contract = {**sample["contract"], "created_at": None, "valid_until": None}
    context = pdf.build_context(contract=contract, customer=sample["customer"], contact=None, lines=lines, owner=None)
    html = pdf.render_html(None, context)
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
