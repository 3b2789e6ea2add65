"""Contracts list at 1M contracts: policy in SQL vs per row, CPU per list call, cursor pages 1 vs 2,000.

Lists 50 visible contracts out of 1,000,000 through the gateway.

Compares the perimeter policy pushed into SQL (the product: the Rego policy partially evaluated by
OPA into a WHERE clause) with a per-row policy check (fetch contracts in date order, ask the OPA
engine about each one's customer until 50 are visible). Both run behind the same gunicorn gateway,
against the same PostgreSQL data; prints p50/p95 and the ratio (phase ``strategies``).

Phase ``cpu``: CPU per request of the list a client makes by default (``GET /api/v1/contracts?limit=N``, no
count parameter), for 50 and for 1,000 of the user's 1,000 visible contracts: CPU seconds (utime + stime from
/proc/<pid>/stat) of the gateway (master + workers), the contracts and perimeter services and the PostgreSQL
backends of the run's databases, before and after ``--cpu-requests`` sequential calls. 1,000 items are listed
in one call when the API allows it and always also as 5 pages of 200 (what an API limited to 200 needs), so
that a tree with a lower limit is measured the same way. With bench/baseline_issue13.json (measured with this
code on the tree before issue 13: ``--phases cpu --save-baseline bench/baseline_issue13.json``) the ratios
new / baseline are printed.

Phase ``pages``: a license admin (all 1,000,000 visible) reads page 1 and page 2,000 (limit 50) of the list
by cursor, in turns: the page-2,000 cursor is built with ``encode_cursor`` from the database's row 99,950
(checked: built the same way for page 1 it equals the API's ``next_cursor``, and page 2,000's ids are the
database's rows 99,951 to 100,000); the ratio of their latencies, the last offset page allowed (``MAX_OFFSET``)
for comparison, and the status of an offset beyond it (422 expected).

    ./paraph bench contracts_list [--contracts 1000000] [--customers 10000] [--perimeters 1000] [--requests 40]
                                  [--phases strategies,cpu,pages] [--cpu-requests 100] [--page-requests 40]
"""
from __future__ import annotations

import argparse
import base64
import json
import subprocess
import sys
import tempfile
import time
from datetime import datetime, timezone
from pathlib import Path

import requests

from bench.common import (BASELINE, ROOT, CpuMeter, Processes, access_token, free_port, load_average,
                          measured_phase, offline_gateway, per_request, pg_backends, private_vhost,
                          queue_consumers, ratio, save, scratch_databases, service_env, summary, table, wait_until)

SUITE = False  # loads a million rows: run it explicitly
LICENSE = "bench-license"
USER = "bench-user"
ADMIN = "bench-admin"
PHASES = ("strategies", "cpu", "pages")


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
from contracts_service.contracts import contract_summary
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


def cpu_per_request(base: str, token: str, meter: CpuMeter, n: int) -> dict:
    """CPU ms per list call, by process group: 50 items, 1,000 in one call (if the API allows it) and
    1,000 as 5 pages of 200."""
    session = requests.Session()
    headers = {"Authorization": f"Bearer {token}"}

    def get(query: str):
        r = session.get(f"{base}/api/v1/contracts?{query}", headers=headers, timeout=300)
        return r

    scenarios = {"list_50": ["limit=50"], "list_1000": ["limit=1000"],
                 "list_1000_as_5x200": [f"limit=200&offset={o}" for o in range(0, 1000, 200)]}
    out = {}
    for name, queries in scenarios.items():
        first = get(queries[0])
        if first.status_code == 422:  # the API's limit is lower: measured as 5 pages of 200 only
            out[name] = {"refused": first.json().get("detail") or first.status_code}
            continue
        first.raise_for_status()
        items = sum(len(get(q).json()["items"]) for q in queries)
        for _ in range(3):  # warm-up (connection pools, caches)
            for q in queries:
                get(q).raise_for_status()
        times = []
        with measured_phase(name, meter) as cpu:
            for _ in range(n):
                t0 = time.perf_counter()
                for q in queries:
                    get(q).raise_for_status()
                times.append(time.perf_counter() - t0)
        out[name] = {"calls_per_request": len(queries), "items": items, **summary(times, sum(times)), **cpu,
                     "cpu_ms_per_request": per_request(cpu["cpu_s"], n)}
    return out


def cursor_values(body: dict) -> dict:
    """The JSON inside an API cursor (``paraph_platform.pagination``): {"o": order name, "v": [values]}."""
    raw = body["next_cursor"]
    return json.loads(base64.urlsafe_b64decode(raw + "=" * (-len(raw) % 4)))


def pages(base: str, contracts_url: str, token: str, n: int, page: int = 2000, limit: int = 50) -> dict:
    """Page 1 vs page ``page`` by cursor, the last offset page allowed, and an offset beyond it."""
    from sqlalchemy import create_engine, text

    from paraph_platform.db import normalize_url
    from paraph_platform.pagination import MAX_OFFSET, encode_cursor
    session = requests.Session()
    headers = {"Authorization": f"Bearer {token}"}
    url = f"{base}/api/v1/contracts?limit={limit}"
    first = session.get(url, headers=headers, timeout=60)
    first.raise_for_status()
    if not first.json().get("next_cursor"):
        return {"error": "no next_cursor in the list's answer (cursor pagination missing)"}
    order = cursor_values(first.json())
    engine = create_engine(normalize_url(contracts_url))
    newest_first = "select created_at, id from contracts where license_id = :lic order by created_at desc, id desc"
    with engine.connect() as conn:
        def row(index):
            return list(conn.execute(text(newest_first + " offset :o limit 1"), {"lic": LICENSE, "o": index}).one())
        built_page_1 = encode_cursor(row(limit - 1), order["o"])
        cursor = encode_cursor(row((page - 1) * limit - 1), order["o"])
        expected = [r[1] for r in conn.execute(text(newest_first + " offset :o limit :n"),
                                               {"lic": LICENSE, "o": (page - 1) * limit, "n": limit})]
    engine.dispose()
    if built_page_1 != first.json()["next_cursor"]:
        return {"error": f"the cursor built from the database ({cursor_values({'next_cursor': built_page_1})}) is "
                         f"not the API's ({order}): the list's order is not (created_at desc, id desc)"}
    urls = {"page_1": url, f"page_{page}": f"{url}&cursor={cursor}",
            f"offset_{MAX_OFFSET}": f"{url}&offset={MAX_OFFSET}"}
    got = session.get(urls[f"page_{page}"], headers=headers, timeout=60)
    got.raise_for_status()
    same_rows = [i["id"] for i in got.json()["items"]] == expected
    times = {name: [] for name in urls}
    for round_ in range(n + 3):  # in turns, so that the machine's load weighs the same on each
        for name, u in urls.items():
            t0 = time.perf_counter()
            session.get(u, headers=headers, timeout=60).raise_for_status()
            if round_ >= 3:
                times[name].append(time.perf_counter() - t0)
    beyond = session.get(f"{url}&offset={MAX_OFFSET + 1}", headers=headers, timeout=60)
    return {"rows_match_database": same_rows, "order": order["o"],
            **{name: summary(t, sum(t)) for name, t in times.items()},
            "offset_beyond_max_status": beyond.status_code, "max_offset": MAX_OFFSET}


def print_cpu(cpu: dict, baseline: dict | None):
    rows = []
    for name, r in cpu.items():
        if "refused" in r:
            rows.append([name, "refused by the API", "", "", "", "", "", ""])
            continue
        per = r["cpu_ms_per_request"]
        base = ((baseline or {}).get("cpu", {}).get(name) or {}).get("cpu_ms_per_request", {}).get("total")
        rows.append([name, r["calls_per_request"], per.get("gateway"), per.get("contracts"), per.get("perimeter"),
                     per.get("postgres"), per["total"], ratio(per["total"], base) if base else "n/a"])
    print(table(rows, ["list", "calls", "gateway", "contracts", "perimeter", "postgres", "total ms",
                       "new / baseline"]))
    if baseline:
        print(f"  baseline: {baseline['date']} ({baseline['tree']}), load average {baseline['load_average']}: "
              f"{baseline['command']}")
        if "list_1000" in cpu and "cpu_ms_per_request" in cpu["list_1000"]:
            b = baseline["cpu"]["list_1000_as_5x200"]["cpu_ms_per_request"]["total"]
            print(f"  1,000 in one call vs the baseline's 5 pages of 200: "
                  f"{ratio(cpu['list_1000']['cpu_ms_per_request']['total'], b)}")


def save_baseline(path: Path, cpu: dict, argv):
    tree = subprocess.run(["git", "rev-parse", "--short", "HEAD"], cwd=ROOT, capture_output=True, text=True).stdout
    path.write_text(json.dumps({
        "what": "contracts_list CPU per request before issue 13 (same bench code, tree before the change)",
        "command": "./paraph bench contracts_list " + " ".join(argv), "tree": tree.strip(),
        "date": datetime.now(timezone.utc).isoformat(timespec="seconds"), "load_average": load_average(),
        "cpu": cpu}, indent=2) + "\n")


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--contracts", type=int, default=1_000_000)
    parser.add_argument("--customers", type=int, default=10_000)
    parser.add_argument("--perimeters", type=int, default=1_000)
    parser.add_argument("--requests", type=int, default=40)
    parser.add_argument("--phases", default=",".join(PHASES), help=f"comma-separated, of {', '.join(PHASES)}")
    parser.add_argument("--cpu-requests", type=int, default=100, help="list calls per CPU scenario")
    parser.add_argument("--page-requests", type=int, default=40, help="requests per page in the cursor phase")
    parser.add_argument("--save-baseline", type=Path, help="write the CPU phase's figures here (a baseline run)")
    args = parser.parse_args(argv)
    phases = set(args.phases.split(","))
    if phases - set(PHASES):
        parser.error(f"unknown phase(s): {', '.join(phases - set(PHASES))}")
    results: dict = {"load_average_before": load_average()}

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
            services = ("perimeter", "contracts", "contracts_rowcheck") if "strategies" in phases \
                else ("perimeter", "contracts")
            for svc in services:
                procs.service(svc, env)
            port = free_port()
            gunicorn = str(Path(sys.executable).parent / "gunicorn")
            procs.spawn("gateway", [gunicorn, "-w", "2", "-k", "gthread", "--threads", "4", "-b",
                                    f"127.0.0.1:{port}", "--chdir", str(tmp), "bench_wsgi:app"], env)
            base = f"http://127.0.0.1:{port}"
            wait_until(lambda: requests.get(f"{base}/healthz", timeout=1).ok, 60, "gunicorn")
            for svc in services:
                wait_until(lambda: queue_consumers(amqp, f"rpc-{svc}") > 0, 60, svc)
            token = access_token(LICENSE, USER, role="user")
            if "strategies" in phases:
                sql_url = base + "/api/v1/contracts?limit=50&with_total=false"
                row_url = base + "/api/v1/bench/rowcheck/contracts"
                measure(sql_url, token, 3)  # warm up
                measure(row_url, token, 1)
                sql_times, sql_body = measure(sql_url, token, args.requests)
                row_times, row_body = measure(row_url, token, max(3, args.requests // 8))
                assert [i["id"] for i in sql_body["items"]] == [i["id"] for i in row_body["items"]], \
                    "both strategies must return the same 50 contracts"
            if "cpu" in phases:
                meter = CpuMeter({"gateway": lambda: procs.pids("gateway"),
                                  "contracts": lambda: procs.pids("contracts"),
                                  "perimeter": lambda: procs.pids("perimeter"),
                                  "postgres": lambda: pg_backends(urls.values())})
                results["cpu"] = cpu_per_request(base, token, meter, args.cpu_requests)
            if "pages" in phases:
                results["pages"] = pages(base, urls["contracts"], access_token(LICENSE, ADMIN), args.page_requests)
            results["load_average_after"] = load_average()
        finally:
            procs.stop()
    print(f"\nload average before {results['load_average_before']}, after {results['load_average_after']}")
    if "cpu" in results:
        print(f"\nCPU ms per list call ({args.cpu_requests} sequential calls each; 1,000 of "
              f"{args.contracts:,} visible to the user):")
        baseline = json.loads(BASELINE.read_text()) if BASELINE.exists() and not args.save_baseline else None
        print_cpu(results["cpu"], baseline)
        if args.save_baseline:
            save_baseline(args.save_baseline, results["cpu"], argv if argv is not None else sys.argv[1:])
            print(f"  baseline written to {args.save_baseline}")
    if "pages" in results:
        print_pages(results["pages"])
    if "strategies" in phases:
        report_strategies(args, sql_times, row_times, row_body, took)
    path = save("contracts_list", {"params": {**vars(args), "save_baseline": str(args.save_baseline or "")},
                                   "load_seconds": round(took, 1), **results})
    print(f"results: {path}")
    return 0


def print_pages(r: dict):
    if "error" in r:
        print(f"\ncursor pages: {r['error']}")
        return
    names = [n for n, v in r.items() if isinstance(v, dict)]  # page_1, page_2000, offset_<max>
    print("\ncursor pagination (license admin: all contracts visible; limit 50; in turns):")
    print(table([[n, r[n]["p50_ms"], r[n]["p95_ms"]] for n in names], ["page", "p50 ms", "p95 ms"]))
    print(f"  page {names[1][5:]} / page 1: p50 {ratio(r[names[1]]['p50_ms'], r['page_1']['p50_ms'])}, "
          f"p95 {ratio(r[names[1]]['p95_ms'], r['page_1']['p95_ms'])}; rows match the database: "
          f"{r['rows_match_database']}; offset {r['max_offset'] + 1:,} (beyond the maximum): "
          f"HTTP {r['offset_beyond_max_status']}")


def report_strategies(args, sql_times, row_times, row_body, took):
    sql, row = summary(sql_times, sum(sql_times)), summary(row_times, sum(row_times))
    print(f"\nvisible to the user: 1 perimeter of {args.perimeters:,} -> "
          f"{args.contracts // args.perimeters:,} of {args.contracts:,} contracts; "
          f"the per-row strategy checked {row_body['checked']:,} rows to find 50\n")
    print(table([["policy pushed into SQL", sql["p50_ms"], sql["p95_ms"]],
                 ["per-row policy check", row["p50_ms"], row["p95_ms"]]], ["strategy", "p50 ms", "p95 ms"]))
    print(f"\nratio per-row / SQL: p50 {ratio(row['p50_ms'], sql['p50_ms'])}, p95 {ratio(row['p95_ms'], sql['p95_ms'])}")
    save("contracts_list-strategies", {"params": vars(args), "load_seconds": round(took, 1), "sql": sql,
                                       "per_row": row, "rows_checked": row_body["checked"]})


if __name__ == "__main__":
    raise SystemExit(main())
