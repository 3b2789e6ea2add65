"""gunicorn settings for the staff web app, from the environment.

gthread workers: each thread keeps its own HTTP connection pool to the gateway (paraph_web.api).
"""
import os

bind = os.environ.get("WEB_BIND", "0.0.0.0:8080")
workers = int(os.environ.get("WEB_WORKERS", "2"))
worker_class = "gthread"
threads = int(os.environ.get("WEB_THREADS", "8"))
timeout = int(float(os.environ.get("WEB_API_TIMEOUT", "30")) * 2)
graceful_timeout = 20
keepalive = 5
accesslog = "-" if os.environ.get("WEB_ACCESS_LOG", "1") == "1" else None
wsgi_app = "paraph_web.wsgi:app"

# the web app is the one public address (it forwards /api/ to the gateway): requests gunicorn refuses itself
# (request line over 4 KB: 414, headers too large: 431, malformed: 400) get the API's problem+json answer
from paraph_platform.gunicorn_errors import LIMIT_REQUEST_LINE, install as _problem_json_errors  # noqa: E402

limit_request_line = LIMIT_REQUEST_LINE
_problem_json_errors()
