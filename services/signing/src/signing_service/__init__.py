"""Paraph signing service."""
