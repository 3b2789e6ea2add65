"""The parties block of the default PDF template: the customer's address is written as the post of its country
writes it (paraph_platform.addresses), the postal code and the city on one line in France ("59000 Lille"), the town
then the postcode in the UK, as the issuer's address; and the footer names the issuer's identifiers as its country
does (SIREN and SIRET in France, a company number elsewhere)."""
import re

from contracts_service import pdf

ADDRESS = {"line1": "12 rue des Arts", "line2": "", "postal_code": "59000", "city": "Lille", "country": "France"}


def customer_block(address, locale="fr", issuer=None):
    sample = pdf.sample_context([], locale)
    context = pdf.build_context(contract={**sample["contract"], "created_at": None, "valid_until": None},
                                customer={**sample["customer"], "name": "Atelier Durand", "address": address},
                                contact=None, lines=[], owner=None, issuer=issuer)
    html = pdf.render_html(None, context)
    party = re.search(r'<div class="party">\s*<h3>[^<]*</h3>(.*?)</div>', html, re.S).group(1)
    return [line.strip() for line in re.sub(r"<(?!br)[^>]+>", "", party).split("<br>") if line.strip()]


def test_the_customers_postal_code_and_city_share_a_line():
    assert customer_block(ADDRESS) == ["Atelier Durand", "12 rue des Arts", "59000 Lille", "France"]


def test_a_missing_part_leaves_no_empty_line():
    assert customer_block({"postal_code": "", "city": "Lille"}) == ["Atelier Durand", "Lille"]
    assert customer_block({"line1": "1 rue X", "postal_code": "59000"}) == ["Atelier Durand", "1 rue X", "59000"]
    assert customer_block({}) == ["Atelier Durand"]


def test_a_country_stored_as_its_code_is_printed_by_name_in_the_documents_language():
    """The forms store an ISO code (paraph_platform.countries): the PDF names it, in the document's language; a
    name typed before the forms had a list is printed as typed."""
    assert customer_block({**ADDRESS, "country": "DE"})[-1] == "Allemagne"
    assert customer_block({**ADDRESS, "country": "Deutschland"})[-1] == "Deutschland"
    sample = pdf.sample_context([], "en")
    context = pdf.build_context(contract={**sample["contract"], "created_at": None, "valid_until": None},
                                customer={**sample["customer"], "address": {"city": "Köln", "country": "DE"}},
                                contact=None, lines=[], owner=None,
                                issuer={"name": "Vendeur SA", "address": {"city": "Lyon", "country": "FR"}})
    # a template reads the name, and the code when it wants it
    assert context["customer"]["address"] == {"city": "Köln", "country": "Germany", "country_code": "DE"}
    assert context["issuer"]["address"]["country"] == "France" and context["issuer"]["address_lines"] == [
        "Lyon", "France"]


BRITISH = {"name": "Acme Ltd", "address": {"line1": "221B Baker Street", "postal_code": "NW1 6XE", "city": "London",
                                          "country": "GB"},
           "siren": "SC123456", "siret": "01234567", "vat_number": "GB123456789", "rcs_city": "Scotland",
           "legal_form": "Ltd", "share_capital": "1000.00", "currency": "GBP"}


def test_a_british_address_is_the_town_then_the_postcode_and_an_american_one_city_state_zip():
    london = {"line1": "1 High Street", "postal_code": "SW1A 1AA", "city": "London", "country": "GB"}
    assert customer_block(london, "en") == ["Atelier Durand", "1 High Street", "London", "SW1A 1AA", "United Kingdom"]
    springfield = {"line1": "742 Evergreen Terrace", "postal_code": "62701", "city": "Springfield", "region": "IL",
                   "country": "US"}
    assert customer_block(springfield, "en")[2:] == ["Springfield, IL 62701", "United States"]
    assert customer_block({**ADDRESS, "country": "DE", "city": "Köln", "postal_code": "50667"})[2:] == [
        "50667 Köln", "Allemagne"]


def test_an_address_without_a_country_is_written_in_its_issuers_order():
    """A British company's customer typed without a country is a British address; the issuer's own address gives
    the country, else its license's (company_country)."""
    oxford = {"line1": "1 High Street", "postal_code": "OX1 1AA", "city": "Oxford"}
    assert customer_block(oxford, "en", BRITISH)[2:] == ["Oxford", "OX1 1AA"]
    no_address = {"name": "Acme Ltd", "address": {}, "company_country": "GB"}
    assert customer_block(oxford, "en", no_address)[2:] == ["Oxford", "OX1 1AA"]
    assert customer_block(oxford, "en")[2:] == ["OX1 1AA Oxford"]  # none known: France's order


def test_the_footer_names_a_british_companys_identifiers_as_the_uk_does():
    sample = pdf.sample_context([], "en")
    british = pdf.build_context(contract={**sample["contract"], "created_at": None, "valid_until": None},
                                customer=sample["customer"], contact=None, lines=[], owner=None, issuer=BRITISH)
    assert british["issuer"]["legal"] == ["Ltd with a share capital of £1,000.00", "Registered in Scotland",
                                          "Company No. SC123456", "Registration No. 01234567", "VAT No. GB123456789"]
    assert british["issuer"]["address_lines"] == ["221B Baker Street", "London", "NW1 6XE", "United Kingdom"]
    assert "company_country" not in british["issuer"]
    french = pdf.build_context(contract={**sample["contract"], "created_at": None, "valid_until": None},
                               customer=sample["customer"], contact=None, lines=[], owner=None,
                               issuer={**BRITISH, "address": {"city": "Lyon", "country": "FR"}, "siren": "732829320",
                                       "siret": "73282932000074", "vat_number": "FR44732829320", "rcs_city": "Lyon",
                                       "legal_form": "SAS", "currency": "EUR", "company_country": "GB"})
    assert french["issuer"]["legal"][1:] == ["RCS Lyon", "SIREN 732 829 320", "SIRET 732 829 320 00074",
                                             "EU VAT No. FR44732829320"]  # its address is French: so are they
    irish = pdf.build_context(contract={**sample["contract"], "created_at": None, "valid_until": None},
                              customer=sample["customer"], contact=None, lines=[], owner=None,
                              issuer={"name": "Éire Ltd", "address": {"country": "IE"}, "vat_number": "IE1234567T"})
    assert irish["issuer"]["legal"] == ["EU VAT No. IE1234567T"]
    html = pdf.render_html(None, british)
    assert "SIREN" not in html and "SIRET" not in html and "Company No. SC123456" in html


def test_an_english_document_of_a_us_company_writes_its_dates_month_first():
    """The quote's dates in the order its company's country reads English (paraph_platform.dates, the license's
    country as the staff pages read it): "December 7, 2026" in the United States, "7 December 2026" in the UK."""
    from datetime import date

    def dates(country):
        sample = pdf.sample_context([], "en")
        context = pdf.build_context(
            contract={**sample["contract"], "kind": "quote", "created_at": date(2026, 12, 7),
                      "valid_until": date(2027, 1, 6)},
            customer=sample["customer"], contact=None, lines=[], owner=None,
            issuer={"name": "Hudson Tools", "address": {}, "company_country": country})
        html = pdf.render_html(None, context)
        return context["contract"]["created_at"], context["contract"]["valid_until"], html

    created, valid_until, html = dates("US")
    assert (created, valid_until) == ("December 7, 2026", "January 6, 2027")
    assert "December 7, 2026" in html and "January 6, 2027" in html
    created, valid_until, html = dates("GB")
    assert (created, valid_until) == ("7 December 2026", "6 January 2027") and "7 December 2026" in html
    assert dates(None)[0] == "7 December 2026"
