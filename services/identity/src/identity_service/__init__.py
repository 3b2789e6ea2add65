"""Paraph identity service."""
