"""Business errors raised on purpose are logged as one INFO line, not a WARNING traceback.

nameko logs every exception an entrypoint declares as expected (``@endpoint`` declares
:class:`~paraph_platform.errors.PlatformError`) with ``'(expected) error handling worker'`` at WARNING and
its traceback: a 404, a 409 or a refused field would then fill the logs with stack traces of normal
answers. :class:`ExpectedErrorsAsInfo` rewrites those records, for 4xx errors only, into one INFO line
naming the method, the status and the message; 5xx ones (deadline passed, a dependency unavailable)
keep their WARNING and traceback. Installed on nameko's container logger when
:mod:`paraph_platform.service` is imported (every service does).
"""
from __future__ import annotations

import logging

from .errors import PlatformError

NAMEKO_EXPECTED = "(expected) error handling worker"


def expected_business_error(exc) -> PlatformError | None:
    """The 4xx PlatformError a record is about, if any."""
    return exc if isinstance(exc, PlatformError) and exc.status < 500 else None


class ExpectedErrorsAsInfo(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        if not (isinstance(record.msg, str) and record.msg.startswith(NAMEKO_EXPECTED) and record.exc_info):
            return True
        exc = expected_business_error(record.exc_info[1])
        if exc is None:
            return True
        worker_ctx = record.args[0] if isinstance(record.args, tuple) and record.args else None
        entrypoint = getattr(worker_ctx, "entrypoint", None)
        where = (f"{getattr(worker_ctx, 'service_name', '?')}.{getattr(entrypoint, 'method_name', '?')}"
                 if worker_ctx is not None else "rpc")
        record.levelno, record.levelname = logging.INFO, "INFO"
        record.msg, record.args = "%s answered %s %s: %s", (where, exc.status, exc.code, exc.message)
        record.exc_info = record.exc_text = None
        return True


_FILTER = ExpectedErrorsAsInfo()


def install():
    logger = logging.getLogger("nameko.containers")
    if _FILTER not in logger.filters:
        logger.addFilter(_FILTER)
