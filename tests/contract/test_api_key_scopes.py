"""Every area a key can be given a scope in (paraph_platform.api_keys.AREAS, which identity validates and the
web app offers) is an area some route belongs to, and every route area is one of them."""
from paraph_platform.api_keys import AREAS
from paraph_gateway import api_keys


def test_the_gateway_maps_routes_onto_exactly_the_key_areas():
    assert set(api_keys.AREAS.values()) == set(AREAS)


def test_the_web_app_describes_every_area():
    from paraph_web.pages.settings_service_accounts import SCOPE_AREAS
    assert list(SCOPE_AREAS) == list(AREAS)
