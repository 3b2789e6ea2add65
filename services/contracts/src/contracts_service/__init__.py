"""Paraph contracts service."""
