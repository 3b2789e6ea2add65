"""signing errors: the platform's boundary errors (mapped to HTTP by the gateway)."""
from paraph_platform.errors import (  # noqa: F401
    BadRequest, Conflict, Forbidden, Gone, InvalidInput, NotFound, PayloadTooLarge, PreconditionFailed,
    TooManyRequests, Unauthorized, Unavailable, UnsupportedMediaType,
)
