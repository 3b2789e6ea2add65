"""WSGI entry point for gunicorn: ``paraph_web.wsgi:app``."""
from .app import create_app

app = create_app()
