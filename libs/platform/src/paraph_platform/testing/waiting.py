"""``wait_for``: polling until a condition holds, failing the test after a timeout."""
from __future__ import annotations

import time


def wait_for(predicate, timeout: float = 10.0, interval: float = 0.05, message: str = "condition",
             retry_errors: bool = False):
    """``predicate()``'s first true value, asked every ``interval`` seconds; fails the test after ``timeout``
    with the last value it gave. With ``retry_errors``, an error the predicate raises means "not yet" (asking a
    process that may be down or restarting) and is reported as that last value; otherwise it fails the test."""
    deadline = time.monotonic() + timeout
    last = None
    while time.monotonic() < deadline:
        try:
            last = predicate()
        except Exception as exc:
            if not retry_errors:
                raise
            last = exc
        else:
            if last:
                return last
        time.sleep(interval)
    raise AssertionError(f"timed out after {timeout}s waiting for {message} (last: {last!r})")
