"""The parties block of the default PDF template: the customer's address is written as a French letter writes
it, the postal code and the city on one line ("59000 Lille"), as the issuer's address already was."""
import re

from contracts_service import pdf

ADDRESS = {"line1": "12 rue des Arts", "line2": "", "postal_code": "59000", "city": "Lille", "country": "France"}


def customer_block(address):
    sample = pdf.sample_context([], "fr")
    context = pdf.build_context(contract={**sample["contract"], "created_at": None, "valid_until": None},
                                customer={**sample["customer"], "name": "Atelier Durand", "address": address},
                                contact=None, lines=[], owner=None)
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
