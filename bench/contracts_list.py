"""List 50 visible contracts out of 1,000,000 (10k customers, 1k perimeters) through the gateway.

Compares the perimeter policy pushed into SQL (the product: the Rego policy partially evaluated by
OPA into a WHERE clause) with a per-row policy check (fetch contracts in date order, ask the OPA
engine about each one's customer until 50 are visible). Both run behind the same gunicorn gateway,
against the same PostgreSQL data; prints p50/p95 and the ratio.

    ./paraph bench contracts_list [--contracts 1000000] [--customers 10000] [--perimeters 1000] [--requests 40]
"""
from __future__ import annotations

import argparse
import os
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from datetime import datetime, timedelta, timezone
from pathlib import Path

import requests

ROOT = Path(__file__).resolve().parents[1]
PG = os.environ.get("PARAPH_TEST_PG", "postgresql://postgres@127.0.0.1:5432").rstrip("/")
LICENSE = "bench-license"
USER = "bench-user"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def create_db(service: str) -> str:
    from paraph_platform.testing import create_database
    return create_database(service)


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
from flask import Blueprint
from paraph_gateway.app import create_app
from paraph_gateway.routing import call, route

bp = Blueprint("bench", __name__)


@route(bp, "/bench/rowcheck/contracts", ["GET"])
def rowcheck(actor):
    return call("contracts_rowcheck", "list_contracts", actor, timeout=120)


app = create_app({"RPC_TIMEOUT": 120})
app.register_blueprint(bp, url_prefix="/api/v1")
'''


def percentile(values, p):
    values = sorted(values)
    k = max(0, min(len(values) - 1, int(round(p / 100 * (len(values) - 1)))))
    return values[k]


def measure(url, token, n):
    times, last = [], None
    session = requests.Session()
    for _ in range(n):
        t = time.perf_counter()
        r = session.get(url, headers={"Authorization": f"Bearer {token}"}, timeout=300)
        times.append((time.perf_counter() - t) * 1000)
        r.raise_for_status()
        last = r.json()
    return times, last


def wait_http(url, timeout=60):
    deadline = time.time() + timeout
    while time.time() < deadline:
        try:
            if requests.get(url, timeout=2).status_code < 500:
                return
        except requests.RequestException:
            pass
        time.sleep(0.3)
    raise RuntimeError(f"{url} did not come up")


def wait_rpc(vhost, service, timeout=60):
    """Until the service consumes its RPC queue (RabbitMQ management API)."""
    from urllib.parse import quote
    deadline = time.time() + timeout
    url = f"http://127.0.0.1:15672/api/queues/{quote(vhost, safe='')}/rpc-{service}"
    while time.time() < deadline:
        r = requests.get(url, auth=("guest", "guest"), timeout=5)
        if r.status_code == 200 and r.json().get("consumers", 0) > 0:
            return
        time.sleep(0.3)
    raise RuntimeError(f"{service} did not come up")


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--contracts", type=int, default=1_000_000)
    parser.add_argument("--customers", type=int, default=10_000)
    parser.add_argument("--perimeters", type=int, default=1_000)
    parser.add_argument("--requests", type=int, default=40)
    args = parser.parse_args(argv)

    import jwt
    from paraph_platform.testing import drop_database
    vhost = f"bench-{uuid.uuid4().hex[:8]}"
    subprocess.run(["rabbitmqctl", "add_vhost", vhost], check=True, capture_output=True)
    subprocess.run(["rabbitmqctl", "set_permissions", "-p", vhost, "guest", ".*", ".*", ".*"], check=True,
                   capture_output=True)
    amqp = f"pyamqp://guest:guest@127.0.0.1:5672/{vhost}"
    urls = {svc: create_db(svc) for svc in ("contracts", "perimeter")}
    procs = []
    tmp = Path(tempfile.mkdtemp(prefix="paraph-bench-"))
    try:
        print(f"loading {args.contracts:,} contracts, {args.customers:,} customers, {args.perimeters:,} perimeters...",
              flush=True)
        took = load_data(urls["contracts"], urls["perimeter"], args.contracts, args.customers, args.perimeters)
        print(f"  loaded in {took:.1f}s", flush=True)
        secret = "bench-secret-" + uuid.uuid4().hex
        env = {**os.environ, "AMQP_URI": amqp, "JWT_SECRET": secret, "CONTRACTS_DATABASE_URL": urls["contracts"],
               "PERIMETER_DATABASE_URL": urls["perimeter"], "CONTRACTS_ROWCHECK_DATABASE_URL": urls["contracts"],
               "LOG_LEVEL": "WARNING", "PYTHONPATH": f"{tmp}:{ROOT}", "ABANDON_SCAN_INTERVAL": "86400",
               "RPC_TIMEOUT": "120"}
        (tmp / "contracts_rowcheck_service").mkdir()
        (tmp / "contracts_rowcheck_service" / "__init__.py").write_text("")
        (tmp / "contracts_rowcheck_service" / "service.py").write_text(ROWCHECK_SERVICE)
        (tmp / "bench_wsgi.py").write_text(WSGI)
        py = sys.executable
        for svc in ("perimeter", "contracts", "contracts_rowcheck"):
            procs.append(subprocess.Popen([py, "-m", "paraph_platform.run", svc], env=env, cwd=ROOT))
        port = free_port()
        procs.append(subprocess.Popen([str(Path(py).parent / "gunicorn"), "-w", "2", "-k", "gthread", "--threads", "4",
                                       "-b", f"127.0.0.1:{port}", "--log-level", "warning", "bench_wsgi:app"],
                                      env=env, cwd=tmp))
        base = f"http://127.0.0.1:{port}"
        wait_http(base + "/healthz")
        for svc in ("perimeter", "contracts", "contracts_rowcheck"):
            wait_rpc(vhost, svc)
        now = datetime.now(timezone.utc)
        token = jwt.encode({"sub": USER, "lic": LICENSE, "role": "user", "email": "bench@x.test",
                            "exp": int((now + timedelta(hours=2)).timestamp()), "typ": "access"}, secret,
                           algorithm="HS256")
        sql_url = base + "/api/v1/contracts?limit=50&with_total=false"
        row_url = base + "/api/v1/bench/rowcheck/contracts"
        measure(sql_url, token, 3)  # warm up
        measure(row_url, token, 1)
        sql_times, sql_body = measure(sql_url, token, args.requests)
        row_times, row_body = measure(row_url, token, max(3, args.requests // 8))
        assert [i["id"] for i in sql_body["items"]] == [i["id"] for i in row_body["items"]], \
            "both strategies must return the same 50 contracts"
        sql_p50, sql_p95 = statistics.median(sql_times), percentile(sql_times, 95)
        row_p50, row_p95 = statistics.median(row_times), percentile(row_times, 95)
        print(f"\nvisible to the user: 1 perimeter of {args.perimeters:,} -> "
              f"{args.contracts // args.perimeters:,} of {args.contracts:,} contracts; "
              f"per-row strategy checked {row_body['checked']:,} rows to find 50")
        print(f"{'strategy':<28}{'p50 ms':>10}{'p95 ms':>10}")
        print(f"{'policy pushed into SQL':<28}{sql_p50:>10.1f}{sql_p95:>10.1f}")
        print(f"{'per-row policy check':<28}{row_p50:>10.1f}{row_p95:>10.1f}")
        print(f"ratio (per-row / SQL): p50 x{row_p50 / sql_p50:.1f}, p95 x{row_p95 / sql_p95:.1f}")
    finally:
        for p in procs:
            p.terminate()
        for p in procs:
            try:
                p.wait(timeout=15)
            except subprocess.TimeoutExpired:
                p.kill()
        for url in urls.values():
            drop_database(url)
        subprocess.run(["rabbitmqctl", "delete_vhost", vhost], capture_output=True)


if __name__ == "__main__":
    main()
