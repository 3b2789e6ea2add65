"""gunicorn settings for the staff web app, from the environment (the settings both HTTP apps share:
paraph_platform.gunicorn_config).

gthread workers: each thread keeps its own HTTP connection pool to the gateway (paraph_web.api). The web app
is the one public address (it forwards /api/ to the gateway): the requests gunicorn refuses itself get the
API's problem+json answer.
"""
import os

from paraph_platform.gunicorn_config import http_app_settings
from paraph_web.app import load_config

globals().update(http_app_settings(
    wsgi_app="paraph_web.wsgi:app",
    bind=os.environ.get("WEB_BIND", "0.0.0.0:8080"),
    workers=os.environ.get("WEB_WORKERS", "2"),
    threads=os.environ.get("WEB_THREADS", "8"),
    timeout=float(os.environ.get("WEB_API_TIMEOUT", "30")) * 2,
    access_log=os.environ.get("WEB_ACCESS_LOG", "1"),
    check=load_config,  # in the master: a setting that cannot work is one line, not a worker traceback
))
