"""A document's VAT lines, alike on the staff pages, the client's quote page and the PDF: a single line for a
single rate, else a line per rate with its base and the total VAT."""
from paraph_platform.totals import discount_text, vat_lines


def test_a_single_rate_is_one_vat_line():
    taxes = [{"rate": "20.00", "base": "1200.00", "tax": "240.00"}]
    assert vat_lines(taxes, "240.00") == [{"rate": "20.00", "base": None, "tax": "240.00"}]


def test_two_rates_or_more_are_broken_down_then_totalled():
    taxes = [{"rate": "5.50", "base": "30.00", "tax": "1.65"}, {"rate": "20.00", "base": "1200.00", "tax": "240.00"}]
    assert vat_lines(taxes, "241.65") == [{"rate": "5.50", "base": "30.00", "tax": "1.65"},
                                          {"rate": "20.00", "base": "1200.00", "tax": "240.00"},
                                          {"rate": None, "base": None, "tax": "241.65"}]


def test_no_line_no_vat_line():
    assert vat_lines([], "0.00") == []


def test_a_rate_is_written_as_the_documents_write_it():
    from paraph_platform.totals import rate_text
    assert rate_text(20, "fr_FR") == "20\u00a0%" and rate_text("5.50", "fr_FR") == "5,5\u00a0%"
    assert rate_text("20.00", "en_GB") == "20%" and rate_text("5.5", "en_GB") == "5.5%"


def test_a_discount_is_its_rate_or_nothing():
    """The PDF, the client's quote page and the staff pages leave a line without discount empty ("0 %" would read
    as a discount given)."""
    assert [discount_text(v, "fr_FR") for v in ("10", "5.50", "0", "0.00", None, "")] == [
        "10\u00a0%", "5,5\u00a0%", "", "", "", ""]
    assert discount_text("10", "en") == "10%"
