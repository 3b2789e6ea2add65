"""Replicas that start together migrate one database together: three replicas of each of the six services
run ``python -m paraph_platform.run <service> --migrate-only`` at the same moment against databases that
do not exist yet. Every replica must exit 0 (before the advisory locks of paraph_platform.migrations, the
losers died on a unique violation of pg_database or pg_type) and every schema must end at its head.

``--migrate-only`` runs the very step ``--migrate`` runs before starting the service (``run.migrate``),
without then serving forever: the exit code is the migration's.
"""
import os
import subprocess
import sys
import time
import uuid

import pytest
from sqlalchemy import create_engine, text

from paraph_platform.migrations import alembic_config
from paraph_platform.testing import PG, drop_database

from tests.drills.harness import ROOT

# 18 processes at once, twice in ./paraph test (about 40 s on 2 idle cores: each process spends ~1.4 s of CPU
# importing); the figure is 5 trials: PARAPH_DRILL_TRIALS=5. The timeout leaves room for a machine
# busy with other test runs
pytestmark = [pytest.mark.integration, pytest.mark.drill, pytest.mark.timeout(900)]

SERVICES = ("identity", "perimeter", "contracts", "signing", "portal", "notify")
REPLICAS = 3
TRIALS = int(os.environ.get("PARAPH_DRILL_TRIALS", "2"))


def head_of(service: str) -> set[str]:
    from alembic.script import ScriptDirectory
    return set(ScriptDirectory.from_config(alembic_config(service, "sqlite://")).get_heads())


def version_of(url: str) -> set[str]:
    engine = create_engine(url.replace("postgresql://", "postgresql+psycopg2://", 1))
    try:
        with engine.connect() as conn:
            return {row[0] for row in conn.execute(text("select version_num from alembic_version"))}
    finally:
        engine.dispose()


def test_replicas_migrating_fresh_databases_at_once_all_succeed(tmp_path):
    heads = {service: head_of(service) for service in SERVICES}
    base_env = {k: v for k, v in os.environ.items() if not k.endswith("DATABASE_URL")}
    for trial in range(TRIALS):
        run = uuid.uuid4().hex[:10]
        urls = {service: f"{PG}/t_race_{run}_{service}" for service in SERVICES}
        env = {**base_env, "LOG_LEVEL": "WARNING",
               **{f"{service.upper()}_DATABASE_URL": url for service, url in urls.items()}}
        procs = []
        try:
            started = time.monotonic()
            for service in SERVICES:
                for replica in range(REPLICAS):
                    log = open(tmp_path / f"{trial}-{service}-{replica}.log", "w+")
                    procs.append((service, replica, log, subprocess.Popen(
                        [sys.executable, "-m", "paraph_platform.run", service, "--migrate-only"],
                        env=env, cwd=ROOT, stdout=log, stderr=subprocess.STDOUT)))
            failures = []
            for service, replica, log, proc in procs:
                code = proc.wait(timeout=150)
                if code != 0:
                    log.seek(0)
                    failures.append(f"{service} replica {replica} exited {code}:\n{log.read()[-2000:]}")
            assert not failures, f"trial {trial}:\n" + "\n".join(failures)
            for service, url in urls.items():
                assert version_of(url) == heads[service], f"trial {trial}: {service} is not at its head"
            print(f"trial {trial}: {len(procs)} replicas migrated in {time.monotonic() - started:.1f}s")
        finally:
            for _, _, log, proc in procs:
                if proc.poll() is None:
                    proc.kill()
                    proc.wait()
                log.close()
            for url in urls.values():
                try:
                    drop_database(url)
                except Exception as exc:  # noqa: BLE001 - a scratch database left behind must not hide the result
                    print(f"could not drop {url}: {exc}")
