"""An address is printed as the post of its country reads it: the postcode before the city in France and most of
Europe, the town then the postcode on its own line in the UK, "City, ST ZIP" in the United States."""
import pytest

from paraph_platform import addresses

PARIS = {"line1": "12 rue des Lilas", "line2": "", "postal_code": "75002", "city": "Paris", "country": "FR"}
LONDON = {"line1": "221B Baker Street", "postal_code": "NW1 6XE", "city": "London", "country": "GB"}
SPRINGFIELD = {"line1": "742 Evergreen Terrace", "postal_code": "62701", "city": "Springfield", "region": "IL",
               "country": "US"}


@pytest.mark.parametrize("country, place", [
    ("FR", ["75002 Paris"]), ("BE", ["75002 Paris"]), ("DE", ["75002 Paris"]), ("ES", ["75002 Paris"]),
    ("IT", ["75002 Paris"]), ("CH", ["75002 Paris"]), ("NL", ["75002 Paris"]), ("JP", ["75002 Paris"]),
    ("GB", ["Paris", "75002"]), ("IE", ["Paris", "Île-de-France", "75002"]), ("US", ["Paris, Île-de-France 75002"]),
    ("CA", ["Paris Île-de-France 75002"]), ("AU", ["Paris Île-de-France 75002"]), ("NZ", ["Paris 75002"]),
])
def test_each_country_writes_its_place_in_its_own_order(country, place):
    address = {"postal_code": "75002", "city": "Paris", "region": "Île-de-France", "country": country}
    assert addresses.place_lines(address) == place


def test_an_address_is_its_streets_its_place_and_its_country_named_in_the_readers_language():
    assert addresses.address_lines(PARIS, "en") == ["12 rue des Lilas", "75002 Paris", "France"]
    assert addresses.address_lines(LONDON, "fr") == ["221B Baker Street", "London", "NW1 6XE", "Royaume-Uni"]
    assert addresses.address_lines(LONDON, "en") == ["221B Baker Street", "London", "NW1 6XE", "United Kingdom"]
    assert addresses.address_lines(SPRINGFIELD, "en") == ["742 Evergreen Terrace", "Springfield, IL 62701",
                                                          "United States"]


def test_a_french_customers_region_is_no_part_of_its_postal_address():
    """The forms' optional "Region" is kept for every country, and printed only where the post wants it."""
    assert addresses.place_lines({**PARIS, "region": "Île-de-France"}) == ["75002 Paris"]
    assert addresses.place_lines({**LONDON, "region": "Greater London"}) == ["London", "NW1 6XE"]


def test_a_country_typed_as_a_name_before_the_lists_is_read_as_that_country():
    assert addresses.address_lines({**LONDON, "country": "Royaume-Uni"}, "en")[1:] == \
        ["London", "NW1 6XE", "Royaume-Uni"]  # the name kept as typed
    assert addresses.place_lines({**SPRINGFIELD, "country": "United States"}) == ["Springfield, IL 62701"]
    assert addresses.place_lines({**LONDON, "country": "UK"}) == ["London", "NW1 6XE"]
    assert addresses.place_lines({**LONDON, "country": "Deutschland"}) == ["NW1 6XE London"]  # a name it cannot read


def test_an_address_without_a_country_is_written_as_its_readers_company_writes_its_own():
    """A customer's address with no country on a British company's quote is a British address; without either, a
    French one (France's order, nothing printed for the country)."""
    no_country = {"line1": "1 High Street", "postal_code": "OX1 1AA", "city": "Oxford", "country": ""}
    assert addresses.address_lines(no_country, "en", default_country="GB") == ["1 High Street", "Oxford", "OX1 1AA"]
    assert addresses.address_lines(no_country, "en") == ["1 High Street", "OX1 1AA Oxford"]


def test_missing_parts_leave_no_empty_line_nor_stray_comma():
    assert addresses.address_lines({}, "fr") == [] and addresses.address_lines(None, "en") == []
    assert addresses.place_lines({"city": "Springfield", "country": "US"}) == ["Springfield"]
    assert addresses.place_lines({"postal_code": "62701", "region": "IL", "country": "US"}) == ["IL 62701"]
    assert addresses.place_lines({"city": "London", "country": "GB"}) == ["London"]
    assert addresses.address_lines({"line1": "  ", "line2": "Bât. B", "city": " Lyon ", "country": "FR"}, "fr") == \
        ["Bât. B", "Lyon", "France"]


def test_a_form_asks_for_the_city_first_where_the_address_writes_it_first():
    assert not addresses.city_first("FR") and not addresses.city_first(None) and not addresses.city_first("DE")
    assert addresses.city_first("GB") and addresses.city_first("US") and addresses.city_first(None, "GB")
    assert not addresses.city_first("FR", "GB")  # the address's own country first
