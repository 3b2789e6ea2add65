"""A picker of a long list (pages/pickers.py) against a fake gateway: a list of one page stays a plain select; a
longer one gets its search box; the search answers the API's matches with the chosen customer kept; the endpoint
takes only the field names its macro writes."""
from __future__ import annotations

import pytest
from flask import Flask, jsonify, request

from web.tests.test_web import sign_in, web_in_front_of

CUSTOMERS = [{"id": f"c{n:02d}", "name": f"Client {n:02d}", "code": f"C-{n}"} for n in range(1, 9)]


@pytest.fixture
def web():
    fake = Flask("fake_gateway")

    @fake.get("/api/v1/customers")
    def customers():  # the API's search (name or code) and its pages
        q, limit = request.args.get("q", "").lower(), int(request.args["limit"])
        found = [c for c in CUSTOMERS if q in c["name"].lower() or q in c["code"].lower()]
        return jsonify({"items": found[:limit], "next_cursor": "more" if len(found) > limit else None})

    @fake.get("/api/v1/customers/<customer_id>")
    def customer(customer_id):
        found = [c for c in CUSTOMERS if c["id"] == customer_id]
        return jsonify(found[0]) if found else (jsonify({"status": 404, "title": "Not Found"}), 404)

    with web_in_front_of(fake) as app:
        yield app


def test_a_list_of_one_page_stays_a_plain_select(web):
    web.config["PICKER_PAGE_SIZE"] = 10
    client = web.test_client()
    sign_in(client)
    html = client.get("/deals/new").get_data(as_text=True)
    assert 'id="field-customer_id"' in html and "field-customer_id-search" not in html
    assert html.count('<option value="c') == 8


def test_a_longer_list_is_searched_the_chosen_customer_shown_by_its_name(web):
    web.config["PICKER_PAGE_SIZE"] = 5
    client = web.test_client()
    sign_in(client)
    html = client.get("/deals/new?customer_id=c08").get_data(as_text=True)
    assert 'id="field-customer_id-search"' in html and "hx-get=" in html
    assert '<option value="c08" selected>Client 08</option>' in html  # beyond the first page, by its name
    assert html.count('<option value="c') == 6

    answer = client.get("/pickers/customers?name=customer_id&id=field-customer_id&q=03&customer_id=c08")
    fragment = answer.get_data(as_text=True)
    assert answer.status_code == 200
    assert '<option value="c08" selected>Client 08</option>' in fragment  # kept until another is chosen
    assert '<option value="c03" >Client 03</option>' in fragment and "Client 04" not in fragment
    assert 'id="field-customer_id-status"' in fragment and "1 match" in fragment

    nothing = client.get("/pickers/customers?name=customer_id&id=field-customer_id&q=zzz").get_data(as_text=True)
    assert "<option" not in nothing and "No match for “zzz”." in nothing


@pytest.mark.parametrize("query, status", [("name=q&id=x", 400), ("name=a b&id=x", 400), ("name=a&id=x\"", 400)])
def test_the_endpoint_takes_only_the_field_names_its_macro_writes(web, query, status):
    client = web.test_client()
    sign_in(client)
    assert client.get(f"/pickers/customers?{query}").status_code == status
    assert client.get("/pickers/contracts?name=a&id=b").status_code == 404


def test_a_checklists_search_offers_boxes_and_the_words_of_its_status_once_one_is_ticked(web):
    """A checklist's matches come as boxes, none ticked; its status carries what app.js says once one is ticked
    (so that "tick it to add it" does not stay under a match already ticked)."""
    web.config["PICKER_PAGE_SIZE"] = 5
    client = web.test_client()
    sign_in(client)
    fragment = client.get("/pickers/customers?name=customers&id=customers-list&checklist=1&q=08").get_data(as_text=True)
    assert 'name="customers" value="c08" id="customers-c08" >' in fragment  # not ticked
    assert "1 match: tick it to add it." in fragment
    assert 'data-ticked-one="1 ticked: it is added when you save."' in fragment
    assert 'data-ticked-many="{num} ticked: they are added when you save."' in fragment
    # what app.js says when the matches are all in the list already (ticked there, or members saved before)
    assert 'data-all-listed="1 match, already in the list above."' in fragment
    # not of a search without match, nor of one whose first matches only are listed
    web.config["PICKER_PAGE_SIZE"] = 1
    for query in ("q=zzz", "q=Client"):
        fragment = client.get(f"/pickers/customers?name=customers&id=customers-list&checklist=1&{query}")
        assert "data-all-listed" not in fragment.get_data(as_text=True)
