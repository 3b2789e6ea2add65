"""contracts errors: the platform's boundary errors (mapped to HTTP by the gateway)."""
from paraph_platform.errors import (  # noqa: F401
    BadRequest, Conflict, PayloadTooLarge, UnsupportedMediaType, Unavailable, Forbidden, Gone, InvalidInput, NotFound, TooManyRequests, Unauthorized,
)
