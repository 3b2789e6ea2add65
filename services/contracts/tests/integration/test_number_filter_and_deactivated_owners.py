"""A number column's filter compares numbers; a deactivated user is given nothing (owner, assignee) but keeps what
they owned: through the gateway, against real RabbitMQ and PostgreSQL."""
import pytest

pytestmark = pytest.mark.integration


@pytest.fixture
def env(north_south):
    """The license of conftest's north_south (admin token ``A``, the seller Paul Vendeur) with a customer the seller
    sees."""
    return {"s": north_south.s, "A": north_south.A, "seller_id": north_south.seller_id,
            "customer": north_south.customer("Hervé David", north_south.north)}


def test_a_number_columns_filter_compares_numbers_and_refuses_what_is_not_one(env):
    s, A, customer = env["s"], env["A"], env["customer"]
    for key, kind in (("surface", "number"), ("ref", "text")):
        r = s.post("/api/v1/settings/columns", token=A, json={"key": key, "label": key, "type": kind})
        assert r.status_code == 201, r.get_json()
    for title, custom in (("Atelier", {"surface": "1234.50", "ref": "1234.50"}), ("Bureau", {"surface": 1234.5}),
                          ("Entrepôt", {"surface": "1E+3"}), ("Garage", {"surface": "-3"}), ("Vide", {})):
        r = s.post("/api/v1/quotes", token=A, json={"title": title, "customer_id": customer["id"], "custom": custom})
        assert r.status_code == 201, r.get_json()

    def titles(column, value):
        r = s.get("/api/v1/quotes", token=A, query_string={"custom_column": column, "custom_value": value,
                                                            "sort": "title"})
        assert r.status_code == 200, r.get_json()
        return [x["title"] for x in r.get_json()["items"]]

    # stored as typed ("1234.50", "1234.5"), found whatever the writing of the same number
    for value in ("1234.5", "1234.50", "1234.500", "+1234.5", "12345E-1"):
        assert titles("surface", value) == ["Atelier", "Bureau"], value
    assert titles("surface", "1000") == ["Entrepôt"]  # stored "1E+3"
    assert titles("surface", "-3.0") == ["Garage"]
    assert titles("surface", "1234") == []
    # a text column keeps its case-insensitive match of the text: "1234.5" is not "1234.50" there
    assert titles("ref", "1234.50") == ["Atelier"] and titles("ref", "1234.5") == []

    # not a number (a French writing is the web app's to read): a clear 422 on the parameter, never a 500
    for value in ("1 234,5", "douze", "NaN", "Infinity", "1e999999", ""):
        r = s.get("/api/v1/quotes", token=A, query_string={"custom_column": "surface", "custom_value": value})
        assert r.status_code == 422 and r.mimetype == "application/problem+json", (value, r.get_json())
        assert r.get_json()["errors"] == {"custom_value": ["Not a valid number."]}, value


def test_a_stale_text_in_a_number_column_is_left_out_of_its_filter(env):
    """A column deleted and made again with the same key as a number: the contracts keep their old text, which
    the number filter passes over instead of failing the list."""
    s, A, customer = env["s"], env["A"], env["customer"]
    column = s.post("/api/v1/settings/columns", token=A, json={"key": "lot", "label": "Lot", "type": "text"}).get_json()
    for title, lot in (("Ancien", "B-12"), ("Long", "9" * 300)):
        assert s.post("/api/v1/quotes", token=A, json={"title": title, "customer_id": customer["id"],
                                                       "custom": {"lot": lot}}).status_code == 201
    assert s.delete(f"/api/v1/settings/columns/{column['id']}", token=A).status_code in (200, 204)
    assert s.post("/api/v1/settings/columns", token=A, json={"key": "lot", "label": "Lot", "type": "number"}
                  ).status_code == 201
    assert s.post("/api/v1/quotes", token=A, json={"title": "Nouveau", "customer_id": customer["id"],
                                                   "custom": {"lot": "12"}}).status_code == 201
    r = s.get("/api/v1/quotes?custom_column=lot&custom_value=12", token=A)
    assert r.status_code == 200, r.get_json()
    assert [x["title"] for x in r.get_json()["items"]] == ["Nouveau"]


def test_a_deactivated_user_is_refused_as_owner_or_assignee_but_keeps_what_they_own(env):
    s, A, customer, seller_id = env["s"], env["A"], env["customer"], env["seller_id"]
    quote = s.post("/api/v1/quotes", token=A, json={"title": "Devis", "customer_id": customer["id"],
                                                    "owner_id": seller_id}).get_json()
    deal = s.post("/api/v1/deals", token=A, json={"title": "Affaire", "customer_id": customer["id"],
                                                  "owner_id": seller_id}).get_json()
    assert quote["owner_id"] == deal["owner_id"] == seller_id
    assert s.post(f"/api/v1/users/{seller_id}/deactivate", token=A).status_code == 200

    refused = {"owner_id": ["not an active user of this license"]}
    for method, path, body in (
            ("post", "/api/v1/quotes", {"title": "Autre", "customer_id": customer["id"], "owner_id": seller_id}),
            ("post", "/api/v1/deals", {"title": "Autre", "customer_id": customer["id"], "owner_id": seller_id})):
        r = getattr(s, method)(path, token=A, json=body)
        assert r.status_code == 422 and r.mimetype == "application/problem+json", r.get_json()
        assert r.get_json()["errors"] == refused
    # given to someone else, then back to them: refused
    other = s.post("/api/v1/quotes", token=A, json={"title": "Autre", "customer_id": customer["id"]}).get_json()
    r = s.patch(f"/api/v1/contracts/{other['id']}", token=A, json={"owner_id": seller_id})
    assert r.status_code == 422 and r.get_json()["errors"] == refused
    other_deal = s.post("/api/v1/deals", token=A, json={"title": "Autre", "customer_id": customer["id"]}).get_json()
    r = s.patch(f"/api/v1/deals/{other_deal['id']}", token=A, json={"owner_id": seller_id})
    assert r.status_code == 422 and r.get_json()["errors"] == refused
    r = s.post(f"/api/v1/contracts/{quote['id']}/tasks", token=A, json={"title": "Rappeler", "assignee_id": seller_id})
    assert r.status_code == 422 and list(r.get_json()["errors"]) == ["assignee_id"]

    # what they owned stays theirs, and a form saving its other fields with them as owner is no change of owner
    r = s.patch(f"/api/v1/contracts/{quote['id']}", token=A, json={"owner_id": seller_id, "notes": "à reprendre"})
    assert r.status_code == 200, r.get_json()
    assert (r.get_json()["owner_id"], r.get_json()["notes"]) == (seller_id, "à reprendre")
    r = s.patch(f"/api/v1/deals/{deal['id']}", token=A, json={"owner_id": seller_id, "stage": "proposal"})
    assert r.status_code == 200, r.get_json()
    assert (r.get_json()["owner_id"], r.get_json()["stage"]) == (seller_id, "proposal")
    # and their documents are still found by owner
    r = s.get(f"/api/v1/quotes?owner_id={seller_id}", token=A)
    assert [x["title"] for x in r.get_json()["items"]] == ["Devis"]
