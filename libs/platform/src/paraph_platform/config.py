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
    raw = env(name, None, service)
    if raw is None:
        return default
    try:
        return int(raw)
    except ValueError as exc:
        raise RuntimeError(f"environment variable {name} must be an integer, got {raw!r}") from exc


def env_float(name: str, default: float, service: str | None = None) -> float:
    raw = env(name, None, service)
    if raw is None:
        return default
    try:
        return float(raw)
    except ValueError as exc:
        raise RuntimeError(f"environment variable {name} must be a number, got {raw!r}") from exc


def data_dir() -> Path:
    """Where embedded state (SQLite files, dev keys) lives when nothing else is configured."""
    path = Path(env("PARAPH_DATA_DIR", str(Path.cwd() / "var")))
    path.mkdir(parents=True, exist_ok=True)
    return path


def database_url(service: str) -> str:
    """``<SERVICE>_DATABASE_URL`` or ``DATABASE_URL``; an embedded SQLite file otherwise.

    A shared ``DATABASE_URL`` pointing at a PostgreSQL server is given a
    per-service database name (``paraph_<service>``) so that services never
    share tables.
    """
    specific = os.environ.get(f"{service.upper()}_DATABASE_URL")
    if specific:
        return specific
    shared = os.environ.get("DATABASE_URL")
    if shared:
        if shared.startswith("postgresql") and shared.rstrip("/").count("/") == 2:
            return shared.rstrip("/") + f"/paraph_{service}"
        return shared
    return f"sqlite:///{data_dir() / (service + '.db')}"


def amqp_uri() -> str:
    return env("AMQP_URI", DEFAULT_AMQP_URI)


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
            "loggers": {"nameko": {"level": "WARNING"}, "kombu": {"level": "WARNING"}, "amqp": {"level": "WARNING"}},
        },
    }


def public_url() -> str:
    """Base URL of the web front (links in emails)."""
    return env("PUBLIC_URL", "http://127.0.0.1:8000")
