"""An address's country: the forms store its ISO code and every reader names it in its own language; a name typed
before the forms had a list, or sent by an integration, is recognised when the list has it and kept as it is."""
from paraph_platform import countries


def test_the_list_is_iso_3166s_countries_by_name_in_the_readers_language():
    french, english = dict(countries.countries("fr")), dict(countries.countries("en"))
    assert french.keys() == english.keys() and len(french) == 250  # ISO 3166-1's 249, and Kosovo
    assert (french["DE"], english["DE"], french["GB"]) == ("Allemagne", "Germany", "Royaume-Uni")
    assert not {"EU", "UN", "ZZ", "EZ", "XA", "IC"} & french.keys()  # groupings, pseudo-regions, reserved codes
    names = [name for _code, name in countries.countries("fr")]
    # alphabetical as a French reader reads it: "Égypte" among the E, not after "Zimbabwe"
    assert names.index("Égypte") < names.index("Espagne") < names.index("Zimbabwe")


def test_a_stored_country_is_read_by_name_and_any_other_text_as_typed():
    assert countries.country_name("DE", "fr") == "Allemagne"
    assert countries.country_name("DE", "en") == "Germany"
    assert countries.country_name("fr", "en") == "France"  # an integration's code in small letters
    assert countries.country_name("Deutschland", "fr") == "Deutschland"
    assert countries.country_name(None, "fr") == "" and countries.country_name("ZZ", "fr") == "ZZ"


def test_a_typed_name_is_recognised_in_french_or_english_whatever_its_accents_and_case():
    assert countries.country_code("France") == "FR"
    assert countries.country_code(" etats-unis ") == "US" and countries.country_code("United States") == "US"
    assert countries.country_code("canada") == "CA" and countries.country_code("ca") == "CA"
    assert countries.country_code("Deutschland") is None and countries.country_code("") is None
    assert countries.country_code(None) is None and countries.country_code("EU") is None
