"""WSGI entry point for gunicorn: ``paraph_gateway.wsgi:app``."""
from .app import create_app

app = create_app()
