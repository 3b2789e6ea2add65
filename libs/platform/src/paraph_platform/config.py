"""Configuration from environment variables only.

Every service reads the same small set of variables; a variable prefixed with
the upper-cased service name (``IDENTITY_DATABASE_URL``) wins over the shared
one (``DATABASE_URL``), so one environment can describe the whole system.
"""
from __future__ import annotations

import os
from pathlib import Path

DEFAULT_AMQP_URI = "pyamqp://guest:guest@127.0.0.1:5672//"


def env(name: str, default: str | None = None, service: str | None = None) -> str | None:
    if service:
        specific = os.environ.get(f"{service.upper()}_{name}")
        if specific not in (None, ""):
            return specific
    value = os.environ.get(name)
    return default if value in (None, "") else value


def env_int(name: str, default: int, service: str | None = None) -> int:
    return _env_parsed(name, default, service, int, "an integer")


def env_float(name: str, default: float, service: str | None = None) -> float:
    return _env_parsed(name, default, service, float, "a number")


def _env_parsed(name: str, default, service: str | None, parse, expected: str):
    """``env()`` read with ``parse`` (int, float): unset is ``default``, a value it cannot read is an error."""
    raw = env(name, None, service)
    if raw is None:
        return default
    try:
        return parse(raw)
    except ValueError as exc:
        raise ConfigError(f"environment variable {name} must be {expected}, got {raw!r}") from exc


def number_setting(name: str, raw, default: float) -> float:
    """A number given by a container config or the environment (a number or a string of one): ``default``
    when ``raw`` is unset, an error when it is not a number."""
    if raw in (None, ""):
        return default
    try:
        return float(raw)
    except (TypeError, ValueError):
        raise RuntimeError(f"{name} must be a number, got {raw!r}") from None


def data_dir() -> Path:
    """Where embedded state (SQLite files, dev keys) lives when nothing else is configured."""
    path = Path(env("PARAPH_DATA_DIR", str(Path.cwd() / "var")))
    path.mkdir(parents=True, exist_ok=True)
    return path


class ConfigError(RuntimeError):
    """The environment describes a setup Paraph cannot run with; the message says what to set instead."""


def database_url(service: str) -> str:
    """``<SERVICE>_DATABASE_URL`` or ``DATABASE_URL``; an embedded SQLite file otherwise.

    A shared ``DATABASE_URL`` is a PostgreSQL *server* URL: each service gets its own database on it,
    ``paraph_<service>``, so that services never share tables (nor Alembic's version table). A shared URL
    naming a database, or a SQLite file, would put the six services in one database: refused, with what
    to set instead (the second service to migrate used to fail with "Can't locate revision").
    """
    specific = os.environ.get(f"{service.upper()}_DATABASE_URL")
    if specific:
        return checked_database_url(specific, f"{service.upper()}_DATABASE_URL")
    shared = os.environ.get("DATABASE_URL")
    if shared:
        return per_service_database(shared, service)
    return f"sqlite:///{data_dir() / (service + '.db')}"


DATABASE_SCHEMES = ("postgresql", "postgres", "postgresql+psycopg2", "sqlite")


def checked_database_url(url: str, variable: str) -> str:
    """``url`` when its scheme is one Paraph can use (PostgreSQL; SQLite for development), else a
    :class:`ConfigError` naming ``variable`` (a typo, another database's URL): one line at start, not an
    import error of some driver, or SQLAlchemy's "Could not parse" traceback, at the first query."""
    scheme = url.split("://", 1)[0] if "://" in url else ""
    if scheme.lower() not in DATABASE_SCHEMES:
        shown = f"{scheme}://..." if scheme else "a value that is not a URL"
        raise ConfigError(f"{variable} must be a PostgreSQL URL (postgresql://user:password@host:5432/database; "
                          f"sqlite:///path for development), got {shown}")
    return url


def mask_url(url: str) -> str:
    """``url`` with its password replaced by ``***``, for logs and error lines."""
    from urllib.parse import urlsplit, urlunsplit
    try:
        parts = urlsplit(url)
        if parts.password is None:
            return url
        return urlunsplit(parts._replace(netloc=f"{parts.username}:***@{parts.netloc.rsplit('@', 1)[-1]}"))
    except ValueError:
        return "<unreadable URL>"


def per_service_database(server_url: str, service: str) -> str:
    """The database of ``service`` on the server of ``server_url``: ``postgresql://u:pw@host:5432?sslmode=require``
    gives ``postgresql://u:pw@host:5432/paraph_<service>?sslmode=require``. A :class:`ConfigError` saying what
    to set when the URL cannot give each service its own database."""
    from urllib.parse import urlsplit, urlunsplit
    parts = urlsplit(server_url)
    instead = (f"set DATABASE_URL to a PostgreSQL server URL without a database name "
               f"(postgresql://user:password@host:5432: each service then uses its own database "
               f"paraph_<service>), or give each service its own URL ({service.upper()}_DATABASE_URL, ...)")
    if not parts.scheme.startswith("postgres"):
        raise ConfigError(f"DATABASE_URL is not a PostgreSQL server URL ({parts.scheme}:...) and the six services "
                          f"cannot share one database: {instead}")
    if parts.path not in ("", "/"):
        raise ConfigError(f"DATABASE_URL names a database ({parts.path.lstrip('/')}) and the six services cannot "
                          f"share one database: {instead}")
    return urlunsplit(parts._replace(path=f"/paraph_{service}"))


def amqp_uri() -> str:
    """``AMQP_URI``: one URL, or several separated by ``;`` (the nodes of a cluster), tried in turn by kombu
    (nameko's containers, the gateway's clients, the outbox relay) and by the health checks."""
    return env("AMQP_URI", DEFAULT_AMQP_URI)


def amqp_urls(uri: str | None = None) -> list[str]:
    """The URLs of ``uri`` (default ``AMQP_URI``), in the order given."""
    return [url.strip() for url in (amqp_uri() if uri is None else uri).split(";") if url.strip()]


def mask_amqp_uri(uri: str) -> str:
    """``uri`` (one URL or several ``;``-separated) with every password replaced by ``***``, for logs."""
    return ";".join(mask_url(url) for url in amqp_urls(uri))


def rpc_timeout(service: str | None = None) -> float:
    """Deadline in seconds for one RPC call (also its message TTL)."""
    return env_float("RPC_TIMEOUT", 10.0, service)


def nameko_config(service: str) -> dict:
    """The nameko container config for ``service``, from the environment."""
    return {
        "AMQP_URI": amqp_uri(),
        "max_workers": env_int("MAX_WORKERS", 10, service),
        "parent_calls_tracked": 10,
        "serializer": "json",
        "SERVICE_NAME": service,
        "DATABASE_URL": database_url(service),
        "RPC_TIMEOUT": rpc_timeout(service),
        "HEARTBEAT": env_int("AMQP_HEARTBEAT", 60, service),
        "LOGGING": {
            "version": 1,
            "disable_existing_loggers": False,
            "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s: %(message)s"}},
            "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain"}},
            "root": {"level": env("LOG_LEVEL", "INFO", service), "handlers": ["console"]},
            "loggers": {"nameko": {"level": "WARNING"}, "kombu": {"level": "WARNING"}, "amqp": {"level": "WARNING"},
                        # alembic >= 1.16 says "setup plugin ..." seven times per migration run
                        "alembic.runtime.plugins": {"level": "WARNING"}},
        },
    }


def public_url() -> str:
    """Base URL of the web front (links in emails)."""
    return env("PUBLIC_URL", "http://127.0.0.1:8000")
