"""Errors portal raises (the platform classes, so callers get them back by class)."""
from paraph_platform.errors import (  # noqa: F401
    Conflict, Forbidden, Gone, InvalidInput, NotFound, TooManyRequests, Unauthorized, Unavailable,
)
