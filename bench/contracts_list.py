"""List 50 visible contracts out of 1,000,000 (10k customers, 1k perimeters) through the gateway.

Compares the perimeter policy pushed into SQL (the product: the Rego policy partially evaluated by
OPA into a WHERE clause) with a per-row policy check (fetch contracts in date order, ask the OPA
engine about each one's customer until 50 are visible). Both run behind the same gunicorn gateway,
against the same PostgreSQL data; prints p50/p95 and the ratio.

    ./paraph bench contracts_list [--contracts 1000000] [--customers 10000] [--perimeters 1000] [--requests 40]
"""
from __future__ import annotations

import argparse
import json
import sys
import tempfile
import time
from pathlib import Path

import requests

from bench.common import (Processes, access_token, free_port, offline_gateway, private_vhost, ratio, save,
                          scratch_databases, service_env, summary, table, wait_until)

SUITE = False  # loads a million rows: run it explicitly
LICENSE = "bench-license"
USER = "bench-user"


def load_data(contracts_url: str, perimeter_url: str, n_contracts: int, n_customers: int, n_perimeters: int):
    """Bulk load with set-based SQL (generate_series); every customer has one perimeter."""
    from sqlalchemy import create_engine, text
    from paraph_platform.db import normalize_url
    t0 = time.time()
    pe = create_engine(normalize_url(perimeter_url))
    with pe.begin() as conn:
        conn.execute(text("""
            insert into perimeters (id, license_id, name, description, created_at, updated_at)
            select 'p-' || lpad(i::text, 4, '0'), :lic, 'Perimeter ' || i, '', now(), now()
            from generate_series(0, :n - 1) i"""), {"lic": LICENSE, "n": n_perimeters})
        conn.execute(text("""insert into subjects (subject_type, subject_id, license_id, version, updated_at)
                             values ('user', :u, :lic, 1, now())"""), {"u": USER, "lic": LICENSE})
        conn.execute(text("""insert into assignments (subject_type, subject_id, perimeter_id, license_id)
                             values ('user', :u, 'p-0007', :lic)"""), {"u": USER, "lic": LICENSE})
    pe.dispose()
    ce = create_engine(normalize_url(contracts_url))
    with ce.begin() as conn:
        conn.execute(text("""
            insert into customers (id, license_id, kind, code, name, address, notes, created_by, created_at, updated_at)
            select 'cust-' || lpad(i::text, 6, '0'), :lic, 'company', 'CU-' || i, 'Customer ' || i, '{}', '',
                   'bench', now(), now()
            from generate_series(0, :n - 1) i"""), {"lic": LICENSE, "n": n_customers})
        conn.execute(text("""
            insert into customer_scopes (customer_id, perimeter_id)
            select 'cust-' || lpad(i::text, 6, '0'), 'p-' || lpad((i % :p)::text, 4, '0')
            from generate_series(0, :n - 1) i"""), {"n": n_customers, "p": n_perimeters})
        conn.execute(text("""
            insert into contracts (id, license_id, kind, number, title, status, customer_id, owner_id, owner_name,
                                   owner_email, currency, locale, data, custom, notes, subtotal, tax_total, total,
                                   created_by, created_at, updated_at, signers, portal_shared, view_count,
                                   download_count, version)
            select md5(i::text)::uuid::text, :lic, 'contract', 'C-B-' || i, 'Contract ' || i, 'draft',
                   'cust-' || lpad((i % :c)::text, 6, '0'), 'bench', 'Bench', 'bench@x.test', 'EUR', 'fr',
                   '{}', '{}', '', 0, 0, 0, 'bench', now() - (i || ' seconds')::interval, now(), '[]', false,
                   0, 0, 1
            from generate_series(0, :n - 1) i"""), {"lic": LICENSE, "n": n_contracts, "c": n_customers})
        conn.execute(text("analyze"))
    ce.dispose()
    return time.time() - t0


ROWCHECK_SERVICE = '''
"""Baseline for the benchmark only: the same list with a per-row policy check (never in the product)."""
from nameko.rpc import rpc
from sqlalchemy import select

from contracts_service.models import Contract, Customer, CustomerScope
from contracts_service.service import contract_summary
from paraph_platform.db import Database
from paraph_platform.rpc import Rpc
from perimeter_service.dependencies import LocalOpa


class RowCheck:
    name = "contracts_rowcheck"
    db = Database()
    perimeter = Rpc("perimeter")
    opa = LocalOpa()

    @rpc
    def list_contracts(self, actor, limit=50, batch=2000):
        perimeters = self.perimeter.compile_filter(actor, "postgresql")["perimeters"]
        who = {"role": actor["role"], "perimeters": perimeters}
        found, offset, checked = [], 0, 0
        with self.db.session() as s:
            while len(found) < limit:
                rows = s.execute(select(Contract, Customer.name).join(Customer, Customer.id == Contract.customer_id)
                                 .where(Contract.license_id == actor["license_id"])
                                 .order_by(Contract.created_at.desc(), Contract.id.desc())
                                 .limit(batch).offset(offset)).all()
                if not rows:
                    break
                ids = list({c.customer_id for c, _ in rows})
                scopes = {i: [] for i in ids}
                for cid, pid in s.execute(select(CustomerScope.customer_id, CustomerScope.perimeter_id)
                                          .where(CustomerScope.customer_id.in_(ids))):
                    if pid:
                        scopes[cid].append(pid)
                for c, name in rows:
                    checked += 1
                    if self.opa.decide("visible", {"actor": who, "resource": {"perimeters": scopes[c.customer_id]}}):
                        found.append(contract_summary(c, name))
                        if len(found) == limit:
                            break
                offset += batch
        return {"items": found, "checked": checked}


SERVICE = RowCheck
'''

WSGI = '''
import json
import os

from flask import Blueprint
from paraph_gateway.app import create_app
from paraph_gateway.routing import call, route

bp = Blueprint("bench", __name__)


@route(bp, "/bench/rowcheck/contracts", ["GET"])
def rowcheck(actor):
    return call("contracts_rowcheck", "list_contracts", actor, timeout=120)


app = create_app({"RPC_TIMEOUT": 120, **json.loads(os.environ["BENCH_GATEWAY_CONFIG"])})
app.register_blueprint(bp, url_prefix="/api/v1")
'''


def measure(url, token, n):
    """Sequential requests; returns (latencies in seconds, last body)."""
    times, last = [], None
    session = requests.Session()
    for _ in range(n):
        t0 = time.perf_counter()
        r = session.get(url, headers={"Authorization": f"Bearer {token}"}, timeout=300)
        times.append(time.perf_counter() - t0)
        r.raise_for_status()
        last = r.json()
    return times, last


def rpc_consumers(vhost_uri: str, service: str) -> int:
    from urllib.parse import urlparse
    vhost = urlparse(vhost_uri).path.lstrip("/")
    r = requests.get(f"http://127.0.0.1:15672/api/queues/{vhost}/rpc-{service}", auth=("guest", "guest"), timeout=5)
    return r.json().get("consumers", 0) if r.status_code == 200 else 0


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--contracts", type=int, default=1_000_000)
    parser.add_argument("--customers", type=int, default=10_000)
    parser.add_argument("--perimeters", type=int, default=1_000)
    parser.add_argument("--requests", type=int, default=40)
    args = parser.parse_args(argv)

    tmp = Path(tempfile.mkdtemp(prefix="paraph-bench-"))
    (tmp / "contracts_rowcheck_service").mkdir()
    (tmp / "contracts_rowcheck_service" / "__init__.py").write_text("")
    (tmp / "contracts_rowcheck_service" / "service.py").write_text(ROWCHECK_SERVICE)
    (tmp / "bench_wsgi.py").write_text(WSGI)
    procs = Processes(tmp)
    with private_vhost() as amqp, scratch_databases("contracts", "perimeter") as urls:
        try:
            print(f"loading {args.contracts:,} contracts, {args.customers:,} customers, "
                  f"{args.perimeters:,} perimeters...", flush=True)
            took = load_data(urls["contracts"], urls["perimeter"], args.contracts, args.customers, args.perimeters)
            print(f"  loaded in {took:.1f}s", flush=True)
            env = {**service_env(amqp, urls, tmp), "CONTRACTS_ROWCHECK_DATABASE_URL": urls["contracts"],
                   "PYTHONPATH": f"{tmp}", "ABANDON_SCAN_INTERVAL": "86400", "RPC_TIMEOUT": "120",
                   "BENCH_GATEWAY_CONFIG": json.dumps(offline_gateway())}  # no identity here
            for svc in ("perimeter", "contracts", "contracts_rowcheck"):
                procs.service(svc, env)
            port = free_port()
            gunicorn = str(Path(sys.executable).parent / "gunicorn")
            procs.spawn("gateway", [gunicorn, "-w", "2", "-k", "gthread", "--threads", "4", "-b",
                                    f"127.0.0.1:{port}", "--chdir", str(tmp), "bench_wsgi:app"], env)
            base = f"http://127.0.0.1:{port}"
            wait_until(lambda: requests.get(f"{base}/healthz", timeout=1).ok, 60, "gunicorn")
            for svc in ("perimeter", "contracts", "contracts_rowcheck"):
                wait_until(lambda: rpc_consumers(amqp, svc) > 0, 60, svc)
            token = access_token(LICENSE, USER, role="user")
            sql_url = base + "/api/v1/contracts?limit=50&with_total=false"
            row_url = base + "/api/v1/bench/rowcheck/contracts"
            measure(sql_url, token, 3)  # warm up
            measure(row_url, token, 1)
            sql_times, sql_body = measure(sql_url, token, args.requests)
            row_times, row_body = measure(row_url, token, max(3, args.requests // 8))
            assert [i["id"] for i in sql_body["items"]] == [i["id"] for i in row_body["items"]], \
                "both strategies must return the same 50 contracts"
        finally:
            procs.stop()
    sql, row = summary(sql_times, sum(sql_times)), summary(row_times, sum(row_times))
    print(f"\nvisible to the user: 1 perimeter of {args.perimeters:,} -> "
          f"{args.contracts // args.perimeters:,} of {args.contracts:,} contracts; "
          f"the per-row strategy checked {row_body['checked']:,} rows to find 50\n")
    print(table([["policy pushed into SQL", sql["p50_ms"], sql["p95_ms"]],
                 ["per-row policy check", row["p50_ms"], row["p95_ms"]]], ["strategy", "p50 ms", "p95 ms"]))
    print(f"\nratio per-row / SQL: p50 {ratio(row['p50_ms'], sql['p50_ms'])}, p95 {ratio(row['p95_ms'], sql['p95_ms'])}")
    path = save("contracts_list", {"params": vars(args), "load_seconds": round(took, 1), "sql": sql, "per_row": row,
                                   "rows_checked": row_body["checked"]})
    print(f"results: {path}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
