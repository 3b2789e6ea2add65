"""gunicorn settings for the gateway, from the environment.

gthread workers: each worker process holds one RpcClientPool (created lazily
after fork), shared by its threads.
"""
import os

bind = os.environ.get("GATEWAY_BIND", "0.0.0.0:8000")
workers = int(os.environ.get("GATEWAY_WORKERS", "2"))
worker_class = "gthread"
threads = int(os.environ.get("GATEWAY_THREADS", "8"))
timeout = int(float(os.environ.get("RPC_TIMEOUT", "10")) * 3)
graceful_timeout = 20
keepalive = 5
accesslog = "-" if os.environ.get("GATEWAY_ACCESS_LOG", "1") == "1" else None
wsgi_app = "paraph_gateway.wsgi:app"

# requests gunicorn refuses itself (request line over limit_request_line: 414, headers too large: 431,
# malformed: 400) are answered in problem+json like every other error, not gunicorn's HTML page
from paraph_platform.gunicorn_errors import LIMIT_REQUEST_LINE, install as _problem_json_errors  # noqa: E402

limit_request_line = LIMIT_REQUEST_LINE
_problem_json_errors()
