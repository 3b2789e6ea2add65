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
