"""Run one service: ``python -m paraph_platform.run identity [--migrate | --migrate-only]``.

``--migrate`` applies the database migrations then runs the service;
``--migrate-only`` applies them and exits (Kubernetes initContainer, CI, one-off jobs):
it does not need the message broker. Without either, the database must already be at this version's
head (a database never migrated, or at an older revision, is refused).

A configuration that cannot work (broker address, vhost or password; a database URL, password, host or
database; a schema to migrate first) is one ``error:`` line on stderr and exit status 2, not a traceback.

Config comes from the environment (see :mod:`paraph_platform.config`).
"""
from __future__ import annotations

import eventlet

eventlet.monkey_patch()  # noqa: E402  (must precede every other import)

import argparse  # noqa: E402
import importlib  # noqa: E402
import logging.config  # noqa: E402
import sys  # noqa: E402

from .config import ConfigError, mask_url, nameko_config  # noqa: E402
from .health import broker_reachable, one_line  # noqa: E402

log = logging.getLogger(__name__)


def service_class(service: str):
    module = importlib.import_module(f"{service}_service.service")
    cls = getattr(module, "SERVICE", None)
    if cls is None:
        raise SystemExit(f"{service}_service.service has no SERVICE class")
    return cls


def preflight(service: str):
    """``<service>_service.preflight.check()``, when the service has one: the settings its extensions read
    at start or at first use (identity's JWT_PRIVATE_KEY, signing's sealing key), checked before nameko runs
    anything (so CPU work there holds up no green thread), raising :class:`ConfigError`."""
    try:
        module = importlib.import_module(f"{service}_service.preflight")
    except ModuleNotFoundError as exc:
        if exc.name != f"{service}_service.preflight":
            raise
        return
    module.check()


def database_refused(service: str, url: str, exc: Exception) -> ConfigError:
    """A database that cannot be used as configured (password, unknown host or database, no such
    revision...), as one line naming the service's variable and the URL without its password."""
    return ConfigError(f"{service}'s database {mask_url(url)} ({service.upper()}_DATABASE_URL or DATABASE_URL): "
                       f"{one_line(exc)}")


def migrate(service: str, url: str):
    from alembic.util import CommandError
    from sqlalchemy.exc import OperationalError
    from .migrations import ensure_database, upgrade
    try:
        ensure_database(url)
        if upgrade(service, url):
            log.info("%s: database migrated to head", service)
    except (OperationalError, CommandError) as exc:  # a connection refused for good, a revision unknown...
        raise database_refused(service, url, exc) from exc


def check_schema(service: str, url: str):
    """Started without --migrate: the database must be at this version's head, else it would answer its
    first requests with errors on missing tables or columns. A database that cannot be reached *now*
    (restarting) is not refused: the service starts and its health command reports the database until it
    answers, as when the database goes away later."""
    from sqlalchemy.exc import OperationalError
    from .migrations import has_migrations, is_transient, schema_state
    if not has_migrations(service):  # no revision to be at
        return
    try:
        current, heads, known = schema_state(service, url)
    except OperationalError as exc:
        if is_transient(exc):
            log.warning("%s: database %s not reachable now (%s): starting anyway", service, mask_url(url),
                        one_line(exc))
            return
        raise database_refused(service, url, exc) from exc
    migrate_first = (f"run `python -m paraph_platform.run {service} --migrate-only` first "
                     f"(or start with --migrate)")
    if current is None:
        raise ConfigError(f"{service}'s database {mask_url(url)} has no schema (never migrated): {migrate_first}")
    if current not in known:
        log.warning("%s: the database is at revision %s, which this version does not know (a newer version "
                    "migrated it): running on it", service, current)
    elif current not in heads:
        raise ConfigError(f"{service}'s database {mask_url(url)} is at revision {current}, this version needs "
                          f"{', '.join(sorted(heads))}: {migrate_first}")


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("service")
    parser.add_argument("--migrate", action="store_true", help="apply database migrations first")
    parser.add_argument("--migrate-only", action="store_true",
                        help="create the database if needed, apply migrations and exit")
    args = parser.parse_args(argv)
    try:
        config = nameko_config(args.service)
    except ConfigError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    logging.config.dictConfig(config["LOGGING"])
    try:
        if args.migrate_only:
            migrate(args.service, config["DATABASE_URL"])
            return 0
        ok, message = broker_reachable(config["AMQP_URI"])
        if not ok:
            raise ConfigError(message)
        preflight(args.service)
        if args.migrate:
            migrate(args.service, config["DATABASE_URL"])
        else:
            check_schema(args.service, config["DATABASE_URL"])
    except ConfigError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    from nameko.cli.run import run
    try:
        run([service_class(args.service)], config)
    except ConfigError as exc:  # a setting an extension reads at start that preflight() does not check
        print(f"error: {args.service}: {exc}", file=sys.stderr)
        return 2
    return 0


if __name__ == "__main__":
    sys.exit(main())
