"""notify errors: the platform's boundary errors (mapped to HTTP by the gateway)."""
from paraph_platform.errors import (  # noqa: F401
    BadRequest, Conflict, DeadlineExceeded, Forbidden, InvalidInput, NotFound, Unavailable,
)
