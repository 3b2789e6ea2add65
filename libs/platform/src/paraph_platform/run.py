"""Run one service: ``python -m paraph_platform.run identity [--migrate | --migrate-only]``.

``--migrate`` applies the database migrations then runs the service;
``--migrate-only`` applies them and exits (Kubernetes initContainer, CI, one-off jobs):
it does not need the message broker.

Config comes from the environment (see :mod:`paraph_platform.config`).
"""
from __future__ import annotations

import eventlet

eventlet.monkey_patch()  # noqa: E402  (must precede every other import)

import argparse  # noqa: E402
import importlib  # noqa: E402
import logging.config  # noqa: E402
import sys  # noqa: E402

from .config import ConfigError, nameko_config  # noqa: E402
from .health import broker_reachable  # noqa: E402


def service_class(service: str):
    module = importlib.import_module(f"{service}_service.service")
    cls = getattr(module, "SERVICE", None)
    if cls is None:
        raise SystemExit(f"{service}_service.service has no SERVICE class")
    return cls


def migrate(service: str, url: str):
    from .migrations import ensure_database, upgrade
    ensure_database(url)
    upgrade(service, url)
    logging.getLogger(__name__).info("%s: database migrated to head", service)


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
    if args.migrate_only:
        migrate(args.service, config["DATABASE_URL"])
        return 0
    ok, message = broker_reachable(config["AMQP_URI"])
    if not ok:
        print(f"error: {message}", file=sys.stderr)
        return 2
    if args.migrate:
        migrate(args.service, config["DATABASE_URL"])
    from nameko.cli.run import run
    run([service_class(args.service)], config)
    return 0


if __name__ == "__main__":
    sys.exit(main())
