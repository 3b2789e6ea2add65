"""The gunicorn settings shared by the two HTTP apps (the gateway and the staff web app).

Each app's gunicorn.conf.py reads its own environment variables (named literally there, where the deployment
tests' env scan finds them) and takes the rest from :func:`http_app_settings`.
"""
from __future__ import annotations

import sys
from typing import Callable

from .gunicorn_errors import LIMIT_REQUEST_LINE, install as install_problem_json_errors


def check_or_exit(check: Callable[[], object], app: str) -> None:
    """Run ``check`` (the app's ``load_config``) in gunicorn's master, before any worker forks: a setting that
    cannot work (a required secret unset, a number that is not one) is then one ``error:`` line and exit
    status 2, instead of every worker dying with a traceback and gunicorn's "Worker failed to boot"."""
    try:
        check()
    except (RuntimeError, ValueError) as exc:  # ConfigError is a RuntimeError
        print(f"error: {app}: {exc}", file=sys.stderr, flush=True)
        raise SystemExit(2) from None


def http_app_settings(*, wsgi_app: str, bind: str, workers: str, threads: str, timeout: float,
                      access_log: str, check: Callable[[], object] | None = None) -> dict:
    """gunicorn's settings for ``wsgi_app``: gthread workers (``workers`` processes of ``threads`` threads),
    ``timeout`` seconds for a request, the access log on stdout when ``access_log`` is "1". ``check`` (the
    app's ``load_config``) runs first: see :func:`check_or_exit`.

    Also makes gunicorn answer the requests it refuses itself (request line over ``limit_request_line``: 414,
    headers too large: 431, malformed: 400) in problem+json like every other error, not in its HTML page:
    the settings are read in the master, before the workers fork."""
    if check is not None:
        check_or_exit(check, wsgi_app.split(".", 1)[0].removeprefix("paraph_"))
    install_problem_json_errors()
    return {
        "wsgi_app": wsgi_app,
        "bind": bind,
        "workers": int(workers),
        "worker_class": "gthread",
        "threads": int(threads),
        "timeout": int(timeout),
        "graceful_timeout": 20,
        "keepalive": 5,
        "accesslog": "-" if access_log == "1" else None,
        "limit_request_line": LIMIT_REQUEST_LINE,
    }
