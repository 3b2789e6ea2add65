"""A migration that rebuilds a table on SQLite (Alembic's batch mode: copy, drop, rename) must not delete the
rows that refer to it: with foreign keys on, dropping ``contracts`` would cascade to every quote's lines.
``paraph_platform.migrations.upgrade`` turns them off for the migrations and checks them afterwards."""
import sqlite3

from paraph_platform.migrations import upgrade

BEFORE_ERP_IMPORT = "b3d5a7c9e1f2"  # the next revision rebuilds contracts (its number becomes unique per kind)


def test_rebuilding_contracts_keeps_their_lines(tmp_path):
    path = tmp_path / "contracts.db"
    upgrade("contracts", f"sqlite:///{path}", BEFORE_ERP_IMPORT)
    db = sqlite3.connect(path)
    db.execute("INSERT INTO customers (id, license_id, kind, code, name, address, notes, created_by, created_at, "
               "updated_at) VALUES ('k1', 'l1', 'company', 'C1', 'Client', '{}', '', 'u1', '2026-01-01', '2026-01-01')")
    db.execute("INSERT INTO contracts (id, license_id, kind, number, title, status, customer_id, owner_id, owner_name, "
               "owner_email, currency, locale, data, custom, notes, subtotal, tax_total, total, created_by, created_at, "
               "updated_at, signers, portal_shared, view_count, download_count, version) VALUES ('c1', 'l1', 'quote', "
               "'D-1', 'Maintenance', 'draft', 'k1', 'u1', 'Ann', 'ann@acme.test', 'EUR', 'fr', '{}', '{}', '', 0, 0, 0, "
               "'u1', '2026-01-01', '2026-01-01', '[]', 0, 0, 0, 1)")
    db.execute("INSERT INTO lines (id, contract_id, position, description, quantity, unit_price, discount_pct, "
               "tax_rate, optional, selected) VALUES ('x1', 'c1', 0, 'Visit', 1, 90, 0, 20, 0, 1)")
    db.commit()
    db.close()

    upgrade("contracts", f"sqlite:///{path}")

    db = sqlite3.connect(path)
    assert db.execute("SELECT id FROM lines").fetchall() == [("x1",)]
    assert db.execute("SELECT number, source FROM contracts").fetchall() == [("D-1", None)]
    db.close()
