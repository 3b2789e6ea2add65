"""Paraph portal service."""
