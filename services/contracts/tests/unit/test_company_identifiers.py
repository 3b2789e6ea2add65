"""The company profile's pure rules: French legal identifiers (SIREN, SIRET: Luhn; intra-community VAT
number: key and SIREN) and the PDFs' localised quantities and rates."""
import pytest

from marshmallow import ValidationError

from contracts_service import logic
from contracts_service.schemas.company_profile import CompanyProfileSchema


@pytest.mark.parametrize("siren, error", [
    ("732829320", None), ("443061841", None),
    ("732829321", "This SIREN's check digit is wrong."), ("73282932", "A SIREN has 9 digits."),
    ("73282932A", "A SIREN has 9 digits."),
])
def test_siren(siren, error):
    assert logic.siren_error(siren) == error


@pytest.mark.parametrize("siret, error", [
    ("73282932000074", None), ("44306184100047", None),
    ("35600000049837", None),  # La Poste: the digit sum is a multiple of 5, the Luhn key does not apply
    ("73282932000075", "This SIRET's check digit is wrong."), ("7328293200007", "A SIRET has 14 digits."),
])
def test_siret(siret, error):
    assert logic.siret_error(siret) == error


def test_french_vat_number_key():
    assert logic.french_vat_number("732829320") == "FR44732829320"
    assert logic.french_vat_number("443061841") == "FR64443061841"
    assert logic.vat_error("FR44732829320") is None
    assert logic.vat_error("FR45732829320") == "This French VAT number's key does not match its SIREN."
    assert logic.vat_error("FR44732829321") == "The SIREN in this VAT number is not valid."
    assert logic.vat_error("BE0123456789") is None  # another country's key is its own business
    assert logic.vat_error("732829320").startswith("A VAT number starts with its country code")


def test_identifiers_must_name_one_company():
    assert logic.company_id_errors("732829320", "73282932000074", "FR44732829320") == {}
    assert logic.company_id_errors("732829320", "44306184100047", "FR64443061841") == {
        "siret": "The SIRET must start with the SIREN.", "vat_number": "The VAT number must contain the SIREN."}
    assert logic.company_id_errors(None, None, None) == {}
    assert logic.digits_only(" FR 44-732.829.320 ") == "FR44732829320" and logic.digits_only("  ") is None


@pytest.mark.parametrize("locale, quantities, rates", [
    ("fr", ["1", "2,5", "1\u202f000", "0,125"], ["20\xa0%", "5,5\xa0%", "0\xa0%"]),
    ("en", ["1", "2.5", "1,000", "0.125"], ["20%", "5.5%", "0%"]),
])
def test_quantities_and_rates_localised(locale, quantities, rates):
    assert [logic.format_quantity(q, locale) for q in ("1.000", "2.500", "1000.000", "0.125")] == quantities
    assert [logic.format_rate(r, locale) for r in ("20.00", "5.50", "0")] == rates


def test_a_wrong_identifier_is_said_with_the_other_fields_errors():
    """A wrong website and a wrong SIREN in one save: both refused at once, not the SIREN at the next save (the
    identifiers' check is the schema's own, which marshmallow skipped while a field was wrong)."""
    with pytest.raises(ValidationError) as refused:
        CompanyProfileSchema().load({"name": "Atelier Dupont", "website": "dupont", "siren": "12345",
                                     "email": "contact@dupont"})
    assert set(refused.value.messages) == {"website", "siren", "email"}
    assert refused.value.messages["siren"] == ["A SIREN has 9 digits."]


def test_a_company_outside_france_gives_its_own_countrys_numbers_in_the_siren_and_siret_fields():
    """A British company's Companies House number (8 characters, "SC123456" in Scotland) is no SIREN: the fields
    keep France's names for the API, and hold the country's company and registration numbers, checked only for
    what the fields can hold. Its address's country decides, else the license's; none, France."""
    british = CompanyProfileSchema(countries=("GB", None)).load(
        {"name": "Acme Ltd", "siren": "SC 123 456", "siret": "", "vat_number": "GB 123 4567 89"})
    assert (british["siren"], british["siret"], british["vat_number"]) == ("SC123456", None, "GB123456789")
    assert CompanyProfileSchema(countries=("", "GB")).load({"name": "Acme Ltd", "siren": "01234567"})["siren"] == \
        "01234567"
    with pytest.raises(ValidationError) as refused:
        CompanyProfileSchema(countries=("US",)).load({"name": "Acme Inc", "siren": "1234567890", "siret": "A/B",
                                                      "vat_number": "12"})
    assert refused.value.messages == {"siren": ["A company number has up to 9 letters and digits."],
                                      "siret": ["A registration number has up to 14 letters and digits."],
                                      "vat_number": [logic.vat_error("12")]}
    for french in (("FR", "GB"), ("", "FR"), (), ("Réunion", None)):  # the address's country first
        with pytest.raises(ValidationError) as refused:
            CompanyProfileSchema(countries=french).load({"name": "Atelier", "siren": "SC123456"})
        assert refused.value.messages == {"siren": ["A SIREN has 9 digits."]}


@pytest.mark.parametrize("typed, saved", [
    ("www.boulangerie-martin.fr", "https://www.boulangerie-martin.fr"),
    ("  boulangerie-martin.fr ", "https://boulangerie-martin.fr"),
    ("http://boulangerie-martin.fr", "http://boulangerie-martin.fr"),  # a scheme given: kept
    (None, None),
])
def test_a_website_written_without_its_scheme_is_its_https_address(typed, saved):
    assert CompanyProfileSchema().load({"name": "Boulangerie Martin", "website": typed})["website"] == saved


def test_a_website_that_is_no_address_is_still_refused():
    for typed in ("dupont", "ftp://dupont.fr", "https://"):
        with pytest.raises(ValidationError) as refused:
            CompanyProfileSchema().load({"name": "Boulangerie Martin", "website": typed})
        assert set(refused.value.messages) == {"website"}, typed
