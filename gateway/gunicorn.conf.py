"""gunicorn settings for the gateway, from the environment (the settings both HTTP apps share:
paraph_platform.gunicorn_config).

gthread workers: each worker process holds one RpcClientPool (created lazily
after fork), shared by its threads.
"""
import os

from paraph_platform.gunicorn_config import http_app_settings
from paraph_gateway.app import load_config

globals().update(http_app_settings(
    wsgi_app="paraph_gateway.wsgi:app",
    bind=os.environ.get("GATEWAY_BIND", "0.0.0.0:8000"),
    workers=os.environ.get("GATEWAY_WORKERS", "2"),
    threads=os.environ.get("GATEWAY_THREADS", "8"),
    timeout=float(os.environ.get("RPC_TIMEOUT", "10")) * 3,
    access_log=os.environ.get("GATEWAY_ACCESS_LOG", "1"),
    check=load_config,  # in the master: a setting that cannot work is one line, not a worker traceback
))
