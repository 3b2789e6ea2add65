"""The VAT lines of a document's totals, shown alike on the staff pages (web), the client's quote page (portal)
and the PDF (contracts): "Total HT", then the VAT, then "Total TTC".

One rate: a single line, "TVA 20 %" (its base is the "Total HT" just above; a per-rate line and a total VAT
line would say the same amount twice). Two rates or more: a line per rate with its base ("TVA 5,5 % sur
30,00 €"), as an invoice breaks its VAT down, then the total VAT. Each page writes the words in its reader's
language; this decides which lines there are, and how a rate and a discount are written (``rate_text``,
``discount_text``).
"""
from decimal import Decimal


def rate_text(value, babel_locale: str) -> str:
    """A rate in percent as the PDF and the client's quote page write it: ``20`` -> "20 %" in French, "20%" in
    English; ``"5.50"`` -> "5,5 %". Raises decimal.InvalidOperation on what is not a number. Babel is its
    callers' dependency (contracts, portal), not every service's: imported here only when a rate is written."""
    from babel.numbers import format_percent
    return format_percent((Decimal(str(value)) / 100).normalize(), locale=babel_locale, decimal_quantization=False)


def discount_text(value, babel_locale: str) -> str:
    """A line's discount as every page and the PDF write it: its rate, or nothing when there is none (an empty
    cell; "0 %" would read as a discount given)."""
    return rate_text(value, babel_locale) if value and Decimal(str(value)) else ""


def vat_lines(taxes: list, tax_total) -> list[dict]:
    """``taxes``: the totals' per-rate list ({"rate", "base", "tax"}, as contracts' ``compute_totals`` gives it);
    returns the lines to show, in order: {"rate", "base", "tax"}, where ``base`` is None on a single rate's line
    and ``rate`` and ``base`` are None on the total VAT line. No taxes (no line yet): no VAT line."""
    if len(taxes) == 1:
        return [{"rate": taxes[0]["rate"], "base": None, "tax": tax_total}]
    if not taxes:
        return []
    return ([{"rate": t["rate"], "base": t["base"], "tax": t["tax"]} for t in taxes]
            + [{"rate": None, "base": None, "tax": tax_total}])
