"""How the ERP import CLI reads an ERP export's amounts and dates."""
from contracts_service.cli import _decimal, _iso_date


def test_amounts_with_spaces_commas_or_both_separators():
    assert [_decimal(v) for v in ("1 234,56", "1\u00a0234,56", "1.234,56", "1,234.56", "12,5", "12.5", "7")] == [
        "1234.56", "1234.56", "1234.56", "1234.56", "12.5", "12.5", "7"]


def test_french_dates_become_iso_dates():
    assert _iso_date("3/2/2026") == "2026-02-03" and _iso_date("2026-02-03") == "2026-02-03"
