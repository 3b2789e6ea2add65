"""Paraph staff web app: server-rendered pages calling the gateway's public REST API."""
from .app import create_app

__all__ = ["create_app"]
