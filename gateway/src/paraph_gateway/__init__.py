"""Paraph gateway: the one public REST surface."""
from .app import create_app  # noqa: F401
