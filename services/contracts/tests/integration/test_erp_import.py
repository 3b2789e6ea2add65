"""The one-way ERP import of customers and sales history, through the gateway and with the CLI."""
import json

import pytest

from contracts_service import cli
from paraph_platform.phones import PHONE_ERROR

pytestmark = pytest.mark.integration

CUSTOMERS = [
    {"code": "C001", "name": "Hervé David SA", "email": "contact@hervedavid.test", "address": {"city": "Lyon"},
     "contacts": [{"first_name": "Mireille", "last_name": "Couture", "email": "mireille@hervedavid.test"},
                  {"first_name": "Paul", "last_name": "Sans Mail"}]},
    {"code": "C002", "name": "Atelier Martin", "kind": "person"},
]
ORDER = {"kind": "order", "number": "BC-0042", "customer_code": "C001", "date": "2025-03-14", "title": "Parc 2025",
         "lines": [{"product_code": "IMP-1", "description": "Imprimante", "quantity": "2", "unit_price": "450.00",
                    "tax_rate": "20", "serial_number": "SN-1"},
                   {"description": "Livraison", "quantity": "1", "unit_price": "30"}]}


@pytest.fixture
def erp(system):
    s = system("identity", "perimeter", "contracts")
    admin = s.new_license("Initiative SA", "admin@init.test")
    return s, admin["access_token"]


def _import(s, token, what, rows):
    r = s.post(f"/api/v1/erp/{what}/import", json={"rows": rows}, token=token)
    assert r.status_code == 200, r.get_json()
    return r.get_json()


def _customer(s, token, code):
    items = s.get(f"/api/v1/customers?q={code}", token=token).get_json()["items"]
    return s.get(f"/api/v1/customers/{items[0]['id']}", token=token).get_json()


def test_customers_are_upserted_by_code_with_their_contacts(erp):
    s, A = erp
    assert _import(s, A, "customers", CUSTOMERS) == {"created": 2, "updated": 0, "unchanged": 0, "errors": []}
    c = _customer(s, A, "C001")
    assert (c["name"], c["email"], c["address"]) == ("Hervé David SA", "contact@hervedavid.test", {"city": "Lyon"})
    assert sorted(x["name"] for x in c["contacts"]) == ["Mireille Couture", "Paul Sans Mail"]

    # the same file again changes nothing
    assert _import(s, A, "customers", CUSTOMERS) == {"created": 0, "updated": 0, "unchanged": 2, "errors": []}

    # a changed row updates the fields given; contacts matched by email, else by name; a bad row is reported
    changed = [{"code": "C001", "phone": "+33 4 00 00 00 00",
                "contacts": [{"first_name": "Mireille", "last_name": "Couture-Roy",
                              "email": "MIREILLE@hervedavid.test"},
                             {"first_name": "Paul", "last_name": "Sans Mail", "title": "Comptable"},
                             {"first_name": "Léa", "last_name": "Nouvelle"}]},
               {"code": "C003"},  # a new customer needs a name
               {"code": "C004", "name": "Bad", "email": "not an email"},
               CUSTOMERS[1]]
    summary = _import(s, A, "customers", changed)
    assert (summary["created"], summary["updated"], summary["unchanged"]) == (0, 1, 1)
    assert [(e["row"], e["code"], sorted(e["errors"])) for e in summary["errors"]] == [
        (2, "C003", ["name"]), (3, "C004", ["email"])]
    c = _customer(s, A, "C001")
    assert (c["name"], c["phone"]) == ("Hervé David SA", "+33 4 00 00 00 00")
    contacts = {x["name"]: x for x in c["contacts"]}
    assert sorted(contacts) == ["Léa Nouvelle", "Mireille Couture-Roy", "Paul Sans Mail"]
    assert contacts["Paul Sans Mail"]["title"] == "Comptable"
    history = s.get(f"/api/v1/customers/{c['id']}/history", token=A).get_json()["items"]
    assert history[0]["action"] == "erp_imported"

    r = s.post("/api/v1/erp/customers/import", json={"rows": [{}] * 501}, token=A)
    assert r.status_code == 422 and r.mimetype == "application/problem+json"


def test_sales_history_shows_in_the_customer_file_and_feeds_the_equipment_base(erp):
    s, A = erp
    _import(s, A, "customers", CUSTOMERS)
    invoice = {**ORDER, "kind": "invoice", "number": "BC-0042", "status": "paid", "lines": ORDER["lines"][:1]}
    rows = [ORDER, invoice, {**ORDER, "number": "BC-0043", "customer_code": "NOPE"},
            {**ORDER, "number": "BC-0044", "status": "paid"}]
    summary = _import(s, A, "sales", rows)
    assert (summary["created"], summary["updated"], summary["unchanged"]) == (2, 0, 0)
    assert [(e["row"], e["number"], sorted(e["errors"])) for e in summary["errors"]] == [
        (3, "BC-0043", ["customer_code"]), (4, "BC-0044", ["status"])]

    c = _customer(s, A, "C001")
    docs = s.get(f"/api/v1/contracts?customer_id={c['id']}", token=A).get_json()["items"]
    assert sorted((d["kind"], d["number"], d["status"]) for d in docs) == [
        ("invoice", "BC-0042", "paid"), ("order", "BC-0042", "confirmed")]
    order = next(d for d in docs if d["kind"] == "order")
    assert (order["title"], order["total"], order["created_at"][:10]) == ("Parc 2025", "1110.00", "2025-03-14")

    def equipment():
        return s.get(f"/api/v1/customers/{c['id']}/equipment", token=A).get_json()["items"]
    items = equipment()
    # one item per line with a product code, from the order and from the invoice, with the ERP's serial number
    assert sorted((e["product_code"], e["serial_number"], e["source"]["number"]) for e in items) == [
        ("IMP-1", "SN-1", "BC-0042"), ("IMP-1", "SN-1", "BC-0042")]

    # re-importing changes nothing and records nothing twice
    summary = _import(s, A, "sales", rows[:2])
    assert (summary["created"], summary["updated"], summary["unchanged"]) == (0, 0, 2)
    assert len(equipment()) == 2

    # a changed document is updated; its recorded lines are not recorded again
    delivered = {**ORDER, "status": "delivered", "lines": [*ORDER["lines"], {
        "product_code": "TON-1", "description": "Toner", "quantity": "4", "unit_price": "25"}]}
    summary = _import(s, A, "sales", [delivered])
    assert (summary["created"], summary["updated"]) == (0, 1)
    assert sorted(e["product_code"] for e in equipment()) == ["IMP-1", "IMP-1", "TON-1"]
    detail = s.get(f"/api/v1/contracts/{order['id']}", token=A).get_json()
    assert (detail["status"], len(detail["lines"])) == ("delivered", 3)

    # only orders and invoices are imported
    summary = _import(s, A, "sales", [{**ORDER, "number": "X"}, {**ORDER, "kind": "quote", "number": "Y"}])
    assert summary["created"] == 1 and [(e["row"], sorted(e["errors"])) for e in summary["errors"]] == [(2, ["kind"])]


CUSTOMERS_CSV = """Code;Name;Email;City;contact_first_name;contact_last_name;contact_email;contact_mobile
C001;Hervé David SA;contact@hervedavid.test;Lyon;Mireille;Couture;mireille@hervedavid.test;06 12 34 56 78
C001;;;;Paul;Sans Mail;;
C002;Atelier Martin;;;;;;
C003;;bad;;;;;
C004;Roy SARL;;;Léa;Roy;;appelez-moi
"""
SALES_JSONL = "\n".join(json.dumps(row) for row in [
    ORDER, {**ORDER, "number": "BC-0043", "customer_code": "C404"}, {**ORDER, "kind": "invoice", "number": "FA-1"}])
SALES_CSV = """kind;number;customer_code;date;product_code;description;quantity;unit_price;tax_rate
invoice;FA-2;C002;14/03/2025;IMP-1;Imprimante;1;450,50;20
invoice;FA-2;C002;14/03/2025;;Livraison;1;30;20
"""


def _run(tmp_path, capsys, what, name, content, base):
    path = tmp_path / name
    path.write_text(content, encoding="utf-8")
    code = cli.main([what, str(path), "--api", base, "--batch-size", "2", "--json"])
    out, err = capsys.readouterr()
    return code, (json.loads(out) if out.strip() else None), err


def test_the_cli_imports_csv_and_jsonl_files_with_an_api_key_in_its_perimeter(system, tmp_path, capsys,
                                                                                monkeypatch):
    s = system("identity", "perimeter", "contracts")
    admin = s.new_license("Initiative SA", "admin@init.test")
    A = admin["access_token"]
    north, south = (s.post("/api/v1/perimeters", json={"name": n}, token=A).get_json()["id"] for n in ("N", "S"))
    account = s.post("/api/v1/service-accounts", json={"name": "Sage", "role": "user"}, token=A).get_json()
    r = s.put(f"/api/v1/service-accounts/{account['id']}/perimeters", json={"perimeter_ids": [south]}, token=A)
    assert r.status_code == 200, r.get_json()
    key = s.post(f"/api/v1/service-accounts/{account['id']}/keys", token=A,
                 json={"name": "sage", "scopes": ["customers:write", "contracts:write"]}).get_json()["key"]
    monkeypatch.setenv("PARAPH_API_KEY", key)
    base = s.serve() + "/api/v1"

    code, summary, err = _run(tmp_path, capsys, "customers", "clients.csv", CUSTOMERS_CSV, base)
    assert code == 2, err  # some rows were refused, the others imported
    assert (summary["created"], summary["updated"], summary["unchanged"]) == (2, 0, 0)
    assert [(e["line"], e["code"], e["errors"]) for e in summary["errors"]] == [
        (5, "C003", {"email": ["Not a valid email address."]}),
        (6, "C004", {"contacts": {"0": {"mobile": [PHONE_ERROR]}}})]  # a number no SMS can go to: not stored
    assert "100%" in err and "import customers" in err and "line 5 (C003)" in err
    c = _customer(s, A, "C001")
    assert sorted((x["name"], x["mobile"]) for x in c["contacts"]) == [
        ("Mireille Couture", "06 12 34 56 78"), ("Paul Sans Mail", None)]
    assert s.get("/api/v1/customers?q=C004", token=A).get_json()["items"] == []
    assert c["perimeter_ids"] == [south]  # the key's perimeter

    code, summary, err = _run(tmp_path, capsys, "customers", "clients.csv", CUSTOMERS_CSV, base)
    assert (code, summary["unchanged"], summary["created"], summary["updated"]) == (2, 2, 0, 0)

    code, summary, err = _run(tmp_path, capsys, "sales", "ventes.jsonl", SALES_JSONL, base)
    assert code == 2 and (summary["created"], summary["unchanged"]) == (2, 0)
    assert [(e["line"], e["number"]) for e in summary["errors"]] == [(2, "BC-0043")]
    code, summary, err = _run(tmp_path, capsys, "sales", "ventes.csv", SALES_CSV, base)
    assert code == 0 and summary == {"created": 1, "updated": 0, "unchanged": 0, "errors": []}, err
    martin = _customer(s, A, "C002")
    docs = s.get(f"/api/v1/contracts?customer_id={martin['id']}", token=A).get_json()["items"]
    assert [(d["number"], d["total"]) for d in docs] == [("FA-2", "576.60")]
    equipment = s.get(f"/api/v1/customers/{martin['id']}/equipment", token=A).get_json()["items"]
    assert [e["product_code"] for e in equipment] == ["IMP-1"]
    code, summary, err = _run(tmp_path, capsys, "sales", "ventes.csv", SALES_CSV, base)
    assert code == 0 and summary["unchanged"] == 1

    # a key without the scope is refused: exit 1
    narrow = s.post(f"/api/v1/service-accounts/{account['id']}/keys", token=A,
                    json={"name": "read", "scopes": ["customers:read"]}).get_json()["key"]
    monkeypatch.setenv("PARAPH_API_KEY", narrow)
    code, summary, err = _run(tmp_path, capsys, "customers", "clients.csv", CUSTOMERS_CSV, base)
    assert code == 1 and "customers:write" in err


def test_the_cli_reports_unreadable_files(tmp_path, capsys):
    assert cli.main(["customers", str(tmp_path / "missing.csv")]) == 1
    assert "error:" in capsys.readouterr().err
    bad = tmp_path / "bad.jsonl"
    bad.write_text('{"code": "C1"}\nnot json\n')
    assert cli.main(["customers", str(bad)]) == 1
    assert "line 2" in capsys.readouterr().err
