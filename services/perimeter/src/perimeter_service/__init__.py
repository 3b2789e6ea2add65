"""Paraph perimeter service."""
