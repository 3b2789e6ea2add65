"""A customer's company number (``registration_number``): a French customer's is its SIREN or a SIRET, checked as the
company profile's are (length, check digit), another country's up to 20 letters and digits; its quotes' customer
block names it as the customer's country does ("SIREN 732 829 320", "Company No. SC123456")."""
import html
import re

import pytest
from marshmallow import ValidationError

from paraph_platform import phones
from contracts_service import logic, pdf
from contracts_service.schemas.customers import CustomerInSchema, CustomerPatchSchema


def test_a_french_number_is_a_siren_or_a_siret_with_its_check_digit():
    assert logic.customer_number_error("732829320", french=True) is None
    assert logic.customer_number_error("73282932000074", french=True) is None
    assert logic.customer_number_error("732829321", french=True) == "This SIREN's check digit is wrong."
    assert logic.customer_number_error("73282932000075", french=True) == "This SIRET's check digit is wrong."
    assert "SIREN (9 digits) or a SIRET (14 digits)" in logic.customer_number_error("7328293", french=True)
    assert logic.customer_number_error("SC123456", french=True) is not None


def test_elsewhere_up_to_twenty_letters_and_digits():
    assert logic.customer_number_error("SC123456", french=False) is None
    assert logic.customer_number_error("A" * 20, french=False) is None
    assert "up to 20 letters and digits" in logic.customer_number_error("A" * 21, french=False)
    assert logic.customer_number_error("AB/12", french=False) is not None


def test_the_schema_strips_spaces_and_reads_the_number_in_the_payloads_country():
    def load(schema, payload, country):
        with phones.read_in(country):
            return schema().load(payload)

    data = load(CustomerInSchema, {"name": "Durand", "registration_number": " 732 829 320 00074 "}, "FR")
    assert data["registration_number"] == "73282932000074"
    assert load(CustomerPatchSchema, {"registration_number": "sc 123456"}, "GB")["registration_number"] == "SC123456"
    assert load(CustomerPatchSchema, {"registration_number": "  "}, "FR")["registration_number"] is None
    assert load(CustomerInSchema, {"name": "Durand"}, "FR")["registration_number"] is None
    with pytest.raises(ValidationError) as refused:
        load(CustomerPatchSchema, {"registration_number": "SC123456"}, "FR")  # not a SIREN in France
    assert list(refused.value.messages) == ["registration_number"]
    with pytest.raises(ValidationError):
        load(CustomerPatchSchema, {"registration_number": "732 829 321"}, None)  # France without a country


def customer_block(customer, locale="fr", issuer=None):
    sample = pdf.sample_context([], locale)
    context = pdf.build_context(contract={**sample["contract"], "created_at": None, "valid_until": None},
                                customer={**sample["customer"], "name": "Atelier Durand", **customer},
                                contact=None, lines=[], owner=None, issuer=issuer)
    party = re.search(r'<div class="party">\s*<h3>[^<]*</h3>(.*?)</div>', pdf.render_html(None, context), re.S)
    lines = re.sub(r"<(?!br)[^>]+>", "", party.group(1)).split("<br>")
    return [html.unescape(line.strip()) for line in lines if line.strip()]


def test_the_customer_block_names_the_number_as_the_customers_country_does():
    lille = {"city": "Lille", "postal_code": "59000", "country": "FR"}
    assert customer_block({"address": lille, "registration_number": "732829320"})[-1] == "SIREN 732 829 320"
    assert customer_block({"address": lille, "registration_number": "73282932000074"}, "en")[-1] \
        == "SIRET 732 829 320 00074"
    # no country: the issuer's (a French issuer, a SIREN; a British one, a company number)
    assert customer_block({"address": {}, "registration_number": "732829320"}, "en")[-1] == "SIREN 732 829 320"
    british_issuer = {"name": "Acme Ltd", "address": {"country": "GB"}}
    assert customer_block({"address": {}, "registration_number": "SC123456"}, "en", british_issuer)[-1] \
        == "Company No. SC123456"
    london = {"city": "London", "postal_code": "NW1 6XE", "country": "GB"}
    assert customer_block({"address": london, "registration_number": "01234567"})[-1] == "N° d'entreprise 01234567"
    # none: no line
    assert customer_block({"address": lille, "registration_number": None}) == ["Atelier Durand", "59000 Lille",
                                                                                "France"]
