"""Staff web app pages under concurrent load, against the API calls they make.

A real gunicorn web app (``web/gunicorn.conf.py``) in front of a real gunicorn gateway, identity,
perimeter and contracts started as in production, on a private RabbitMQ vhost and fresh PostgreSQL
databases. One signed-in salesperson's session cookie is shared by the clients. Scenarios:

* ``GET /healthz`` of the web app — HTTP + Flask only: the ceiling of the web app itself
* ``GET /sign-in``                — a page rendered without any API call (templates, catalog, CSP nonce)
* ``GET /contracts/<id>``         — the contract page: session decrypted, its API calls (the contract, its
                                    history, the colleagues a task may go to; the equipment base once bought), rendered
* ``GET /api/v1/contracts/<id>``  — the contract's API call made directly (what the page adds is the difference)
* ``GET /``                       — the home page: its API calls (tasks due, quotes viewed, awaiting signature)
* ``GET /settings/users``         — the users list (``/users`` page + ``/license`` seats), vs ``users_api``:
                                    the same two API calls made directly, one after the other
* ``GET /settings/perimeters/<id>`` — a perimeter page (the perimeter + the users, customers and contract
                                    types it may hold: 4 API calls), vs ``perimeter_api``: the same 4 calls
* ``GET /quotes`` at 10,000 quotes — the quotes list (first page of 50, the total counted, its filters'
                                    pickers: 6 API calls), vs ``quotes_list_api``: the list call it makes
                                    (``GET /api/v1/quotes?limit=50&offset=0``) and ``quotes_page_api``: its 6
                                    calls made directly; the same with ``?sort=-total``. Seeding (``--quotes``):
                                    ``--api-quotes`` of them through ``POST /api/v1/quotes`` from 8 clients (the
                                    real write path; its rate is printed), the rest copied from one of those in
                                    one set-based ``INSERT`` into the contracts database (numbered, dated, spread
                                    over the customers and statuses): the API at its measured rate would take
                                    minutes for 10,000

and prints the ratios measured in this run (page vs its API calls, home vs contract page) with the load
average. Goal: a page serves at least half the requests per second of the API calls it makes
(``*_page_vs_api_throughput`` >= 0.5x).

    ./paraph bench web_pages [--threads 8] [--seconds 6] [--workers 2] [--quotes 10000] [--api-quotes 300]
"""
from __future__ import annotations

import argparse
import os
import re
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import requests

from bench.common import (Processes, free_port, http_load, private_vhost, ratio, real_session, save,
                          scratch_databases, service_env, table, wait_until)

SUITE = False  # not in the default suite: it needs four processes more than gateway_http
BENCH_PASSWORD = "a bench password, long enough"  # bench.common.real_session's


def web_app(procs: Processes, gateway_url: str, workers: int, threads: int) -> str:
    import sys
    port = free_port()
    procs.spawn("web", [str(Path(sys.executable).parent / "gunicorn"), "-c", str(Path("web") / "gunicorn.conf.py")],
                {"WEB_BIND": f"127.0.0.1:{port}", "WEB_WORKERS": str(workers), "WEB_THREADS": str(threads),
                 "WEB_ACCESS_LOG": "0", "GATEWAY_URL": gateway_url, "WEB_SESSION_KEY": "bench-web-session-key",
                 "PUBLIC_URL": f"http://127.0.0.1:{port}"})
    url = f"http://127.0.0.1:{port}"
    wait_until(lambda: requests.get(f"{url}/healthz", timeout=1).ok, 60, "the web app")
    return url


def signed_in_cookie(web_url: str, email: str, password: str) -> str:
    """The session cookie of a browser that signed in through the sign-in page."""
    browser = requests.Session()
    page = browser.get(f"{web_url}/sign-in", timeout=15).text
    csrf = re.search(r'name="csrf_token" value="([^"]+)"', page).group(1)
    r = browser.post(f"{web_url}/sign-in", data={"email": email, "password": password, "csrf_token": csrf},
                     allow_redirects=False, timeout=30)
    assert r.status_code == 302, r.text[:500]
    return browser.cookies["paraph_session"]


class _Calls:
    """The answer of several API calls made in a row: failed if any failed (for ``http_load``)."""
    def __init__(self, responses):
        self.status_code = max(r.status_code for r in responses)


def api_calls(base: str, paths: list[str], headers: dict):
    """One unit of load = the API calls a page makes, made directly, one after the other."""
    return lambda s, i: _Calls([s.get(f"{base}/api/v1{path}", headers=headers, timeout=15) for path in paths])


def seed_admin_data(api: str, auth: dict, customer: dict, users: int = 8, customers: int = 20) -> str:
    """Invited users (the bench license has 10 seats) and customers, half of them in a perimeter: the users
    list and perimeter page's data.
    Returns the perimeter's id."""
    perimeter = requests.post(f"{api}/api/v1/perimeters", json={"name": "Bench Nord"}, headers=auth, timeout=15).json()
    for n in range(users):
        member = requests.post(f"{api}/api/v1/users", json={"email": f"bench-user-{n}@bench.test",
                                                              "name": f"Bench User {n}"}, headers=auth, timeout=30)
        assert member.status_code == 201, member.text[:300]
        if n % 2:
            requests.put(f"{api}/api/v1/users/{member.json()['user_id']}/perimeters",
                         json={"perimeter_ids": [perimeter["id"]]}, headers=auth, timeout=15)
    for n in range(customers):
        created = customer if n == 0 else requests.post(f"{api}/api/v1/customers", json={"name": f"Bench {n}"},
                                                        headers=auth, timeout=15).json()
        if n % 2 == 0:
            requests.put(f"{api}/api/v1/customers/{created['id']}/perimeters",
                         json={"perimeter_ids": [perimeter["id"]]}, headers=auth, timeout=15)
    return perimeter["id"]


def seed_quotes(api: str, auth: dict, contracts_db: str, customer_ids: list[str], total: int, via_api: int,
                threads: int = 8) -> dict:
    """``total`` quotes of the bench license: ``via_api`` through the API (concurrent clients), the rest as
    copies of one of them, inserted by one statement (every column copied but those that make each quote its
    own: id, number, title, customer, status, totals, dates). Returns the seeding figures."""
    from sqlalchemy import create_engine, text
    from paraph_platform.db import normalize_url
    line = {"description": "Copieur A3", "quantity": "2", "unit_price": "1000", "tax_rate": "20"}

    def create(n: int) -> str:
        r = requests.post(f"{api}/api/v1/quotes", headers=auth, timeout=60, json={
            "title": f"Devis API {n}", "customer_id": customer_ids[n % len(customer_ids)], "lines": [line]})
        assert r.status_code == 201, r.text[:300]
        return r.json()["id"]

    t0 = time.monotonic()
    with ThreadPoolExecutor(threads) as pool:
        created = list(pool.map(create, range(max(1, via_api))))
    api_seconds = time.monotonic() - t0
    copies = max(0, total - len(created))
    overrides = {  # per copy i: what makes it a quote of its own; other columns come from the template
        "id": "md5('bench-quote-' || i)::uuid::text", "number": "'Q-B-' || lpad(i::text, 6, '0')",
        "title": "'Devis ' || i", "customer_id": "(cast(:customers as text[]))[1 + i % :n_customers]",
        "status": "(array['draft', 'sent', 'accepted', 'refused'])[1 + i % 4]",
        "subtotal": "(i % 997) * 10", "tax_total": "(i % 997) * 2", "total": "(i % 997) * 12",
        "created_at": "now() - (i || ' minutes')::interval", "updated_at": "now() - (i || ' minutes')::interval",
        "view_count": "i % 5", "download_count": "i % 3"}
    t0 = time.monotonic()
    engine = create_engine(normalize_url(contracts_db))
    with engine.begin() as conn:
        columns = [c for (c,) in conn.execute(text(
            "select column_name from information_schema.columns where table_name = 'contracts' "
            "order by ordinal_position"))]
        values = ", ".join(overrides.get(c, f"t.{c}") for c in columns)
        conn.execute(text(f"insert into contracts ({', '.join(columns)}) select {values} "
                          "from contracts t, generate_series(1, :copies) i where t.id = :template"),
                     {"customers": customer_ids, "n_customers": len(customer_ids), "copies": copies,
                      "template": created[0]})
        conn.execute(text("analyze contracts"))
    engine.dispose()
    return {"via_api": len(created), "api_seconds": round(api_seconds, 1),
            "api_quotes_per_second": round(len(created) / api_seconds, 1), "copied": copies,
            "copy_seconds": round(time.monotonic() - t0, 1)}


def run(threads: int, seconds: float, workers: int, quotes: int = 10_000, api_quotes: int = 300) -> dict:
    with tempfile.TemporaryDirectory(prefix="paraph-bench-") as tmp, private_vhost() as amqp, \
            scratch_databases("identity", "perimeter", "contracts") as dbs:
        procs = Processes(Path(tmp))
        try:
            env = service_env(amqp, dbs, Path(tmp))
            for service in dbs:
                procs.service(service, env)
            api = procs.gateway(free_port(), env, workers=workers)
            web = web_app(procs, api, workers, 8)
            wait_until(lambda: requests.get(f"{api}/api/v1/.well-known/jwks.json", timeout=5).ok, 90, "identity")
            admin = real_session(api, dbs["identity"])
            auth = {"Authorization": f"Bearer {admin['access_token']}"}
            created = []
            wait_until(lambda: created.append(requests.post(f"{api}/api/v1/customers", json={"name": "Bench SARL"},
                                                            headers=auth, timeout=15)) or created[-1].status_code == 201,
                       90, "contracts")
            customer = created[-1].json()
            quote = requests.post(f"{api}/api/v1/quotes", headers=auth, timeout=15, json={
                "title": "Bench", "customer_id": customer["id"], "lines": [
                    {"description": "Line", "quantity": "1", "unit_price": "100", "tax_rate": "20"}]}).json()
            perimeter_id = seed_admin_data(api, auth, customer)
            seeding = None
            if quotes:
                customer_ids = [c["id"] for c in requests.get(f"{api}/api/v1/customers?limit=200", headers=auth,
                                                              timeout=15).json()["items"]]
                seeding = seed_quotes(api, auth, dbs["contracts"], customer_ids, quotes, api_quotes)
            cookie = {"Cookie": f"paraph_session={signed_in_cookie(web, admin['user']['email'], BENCH_PASSWORD)}"}
            procs.check()
            from paraph_web.pages.admin import CHOICES_LIMIT, PAGE_SIZE  # the pages' own API calls

            def get(url, headers=None):
                return lambda s, i: s.get(url, headers=headers, timeout=15, allow_redirects=False)

            results = {
                "web_healthz": http_load(get(f"{web}/healthz"), threads=threads, seconds=seconds),
                "sign_in_page": http_load(get(f"{web}/sign-in"), threads=threads, seconds=seconds),
                "contract_page": http_load(get(f"{web}/contracts/{quote['id']}", cookie), threads=threads,
                                           seconds=seconds),
                "contract_api": http_load(get(f"{api}/api/v1/contracts/{quote['id']}", auth), threads=threads,
                                          seconds=seconds),
                "home_page": http_load(get(f"{web}/", cookie), threads=threads, seconds=seconds),
                "users_page": http_load(get(f"{web}/settings/users", cookie), threads=threads, seconds=seconds),
                "users_api": http_load(api_calls(api, [f"/users?limit={PAGE_SIZE}&offset=0", "/license"], auth),
                                       threads=threads, seconds=seconds),
                "perimeter_page": http_load(get(f"{web}/settings/perimeters/{perimeter_id}", cookie),
                                            threads=threads, seconds=seconds),
                "perimeter_api": http_load(api_calls(api, [
                    f"/perimeters/{perimeter_id}", f"/users?limit={CHOICES_LIMIT}",
                    f"/customers?limit={CHOICES_LIMIT}", "/contract-types"], auth), threads=threads, seconds=seconds),
            }
            if quotes:
                from paraph_web.pages.documents import PAGE_SIZE as LIST_SIZE, PICKER_LIMIT
                for suffix, sort in (("", ""), ("_by_total", "&sort=-total")):
                    # what /quotes asks the API (pages/documents.py: _render_list), in its order
                    page_calls = [f"/quotes?limit={LIST_SIZE}&offset=0{sort}", "/settings/columns", "/settings/flags",
                                  f"/users?limit={PICKER_LIMIT}", f"/customers?limit={PICKER_LIMIT}", "/contract-types"]
                    results[f"quotes_page{suffix}"] = http_load(get(f"{web}/quotes?{sort.lstrip('&')}", cookie),
                                                                threads=threads, seconds=seconds)
                    results[f"quotes_list_api{suffix}"] = http_load(api_calls(api, page_calls[:1], auth),
                                                                    threads=threads, seconds=seconds)
                    results[f"quotes_page_api{suffix}"] = http_load(api_calls(api, page_calls, auth),
                                                                    threads=threads, seconds=seconds)
                listed = requests.get(f"{api}/api/v1/quotes?limit=1", headers=auth, timeout=30).json()
                results["seeding"] = {**seeding, "quotes_listed_total": listed["total"]}
            procs.check()
            return results
        finally:
            procs.stop()


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(prog="bench web_pages", description=__doc__.split("\n")[0])
    parser.add_argument("--threads", type=int, default=8, help="concurrent clients")
    parser.add_argument("--seconds", type=float, default=6.0, help="measured seconds per scenario")
    parser.add_argument("--workers", type=int, default=2, help="gunicorn workers (gateway and web each)")
    parser.add_argument("--quotes", type=int, default=10_000, help="quotes in the list (0: no quotes list scenario)")
    parser.add_argument("--api-quotes", type=int, default=300, help="of them created through the API")
    args = parser.parse_args(argv)
    load_before = os.getloadavg()
    r = run(args.threads, args.seconds, args.workers, args.quotes, args.api_quotes)
    load_after = os.getloadavg()
    seeding = r.pop("seeding", None)
    print(f"web + gateway: gunicorn {args.workers} workers each; {args.threads} clients, {args.seconds:.0f}s each")
    if seeding:
        print(f"quotes: {seeding['quotes_listed_total']:,} listed; {seeding['via_api']} created through the API in "
              f"{seeding['api_seconds']}s ({seeding['api_quotes_per_second']}/s from 8 clients), "
              f"{seeding['copied']:,} copied by SQL in {seeding['copy_seconds']}s")
    rows = [[name, v["throughput"], v["p50_ms"], v["p95_ms"], v["p99_ms"], v["errors"]] for name, v in r.items()]
    print(table(rows, ["scenario", "req/s", "p50 ms", "p95 ms", "p99 ms", "errors"]))
    ratios = {
        "contract_page_vs_api_p50": ratio(r["contract_page"]["p50_ms"], r["contract_api"]["p50_ms"]),
        "contract_page_vs_api_throughput": ratio(r["contract_page"]["throughput"], r["contract_api"]["throughput"]),
        "home_vs_contract_page_p50": ratio(r["home_page"]["p50_ms"], r["contract_page"]["p50_ms"]),
        "sign_in_page_vs_healthz_p50": ratio(r["sign_in_page"]["p50_ms"], r["web_healthz"]["p50_ms"]),
    }
    for page in ("users", "perimeter"):  # goal: throughput >= 0.5x of the same data read from the API
        ratios[f"{page}_page_vs_api_throughput"] = ratio(r[f"{page}_page"]["throughput"], r[f"{page}_api"]["throughput"])
        ratios[f"{page}_page_vs_api_p95"] = ratio(r[f"{page}_page"]["p95_ms"], r[f"{page}_api"]["p95_ms"])
    for suffix in ("", "_by_total") if seeding else ():  # the 10k quotes list: what the page adds to its calls
        ratios[f"quotes_page{suffix}_vs_list_api_p95"] = ratio(r[f"quotes_page{suffix}"]["p95_ms"],
                                                               r[f"quotes_list_api{suffix}"]["p95_ms"])
        ratios[f"quotes_page{suffix}_vs_its_api_calls_p95"] = ratio(r[f"quotes_page{suffix}"]["p95_ms"],
                                                                    r[f"quotes_page_api{suffix}"]["p95_ms"])
        ratios[f"quotes_page{suffix}_vs_its_api_calls_throughput"] = ratio(
            r[f"quotes_page{suffix}"]["throughput"], r[f"quotes_page_api{suffix}"]["throughput"])
    for k, v in ratios.items():
        print(f"  {k}: {v}")
    print("  load average (1, 5, 15 min): before " + ", ".join(f"{x:.2f}" for x in load_before)
          + "; after " + ", ".join(f"{x:.2f}" for x in load_after))
    path = save("web_pages", {"params": vars(args), "results": r, "ratios": ratios, "seeding": seeding,
                              "load_average": {"before": load_before, "after": load_after}})
    print(f"  saved {path.relative_to(path.parents[2])}")
    return 0 if all(v["requests"] and not v["errors"] for v in r.values()) else 1
