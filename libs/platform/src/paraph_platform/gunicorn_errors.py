"""gunicorn's own error answers as problem+json.

gunicorn refuses some requests before Flask sees them (a request line over ``limit_request_line``, 4 KB:
414; headers too large: 431; a malformed request line: 400) and answers them with a small HTML page.
:func:`install` (called by paraph_platform.gunicorn_config for the gateway's and the web app's gunicorn.conf.py,
in the master before the workers fork) replaces gunicorn's ``util.write_error``, which every worker class calls
for those answers, with one that writes the same ``application/problem+json`` body as the rest of the API.
Kept free of Flask imports: it runs in gunicorn's master process.
"""
from __future__ import annotations

import json

PROBLEM = "application/problem+json"
LIMIT_REQUEST_LINE = 4094  # gunicorn's default limit_request_line, kept (set by gunicorn_config)


def problem_bytes(status_int: int, reason: str, detail: str) -> bytes:
    code = reason.lower().replace(" ", "_").replace("-", "_")
    body = json.dumps({"type": f"https://paraph.dev/problems/{code}", "title": reason, "status": status_int,
                       "detail": detail or reason, "code": code}).encode()
    head = (f"HTTP/1.1 {status_int} {reason}\r\nConnection: close\r\nContent-Type: {PROBLEM}\r\n"
            f"Content-Length: {len(body)}\r\nX-Content-Type-Options: nosniff\r\n\r\n").encode("latin-1")
    return head + body


def install():
    from gunicorn import util

    def write_problem(sock, status_int, reason, mesg):
        if status_int == 414:
            # gunicorn's message repeats the size limit in its own words; say what to do instead
            mesg = f"The request line (path and query string) exceeds {LIMIT_REQUEST_LINE} bytes."
        util.write_nonblock(sock, problem_bytes(status_int, reason, mesg))

    util.write_error = write_problem
