"""What the command-line tools that talk to Paraph's public API share (the ERP sync and imports): the
API client and its sign-in from the environment, the errors it reports, a progress bar on stderr.

Authentication (:func:`connect`): PARAPH_API_KEY, an API key of a service account (README, "API keys"):
the tool takes no seat and borrows nobody's session. For a one-off run by hand, PARAPH_TOKEN (an access
token) or PARAPH_EMAIL + PARAPH_PASSWORD (and PARAPH_LICENSE_ID when the account belongs to several
licenses) also work. PARAPH_API defaults to http://127.0.0.1:8000/api/v1.
"""
from __future__ import annotations

import json
import os
import sys

import requests

DEFAULT_API = "http://127.0.0.1:8000/api/v1"


class ApiError(Exception):
    """The tool cannot go on (the API refused the call, or the input cannot be read): exit status 1."""


class Progress:
    """A plain text progress bar on stderr (no dependency)."""

    def __init__(self, total: int, stream=None, width: int = 30, label: str = "sync"):
        self.total, self.done, self.width, self.label = max(total, 1), 0, width, label
        self.stream = stream or sys.stderr

    def advance(self, n: int):
        self.done = min(self.total, self.done + n)
        filled = int(self.width * self.done / self.total)
        self.stream.write(f"\r{self.label} [{'#' * filled}{'.' * (self.width - filled)}] "
                          f"{100 * self.done // self.total:3d}% {self.done}/{self.total}")
        if self.done >= self.total:
            self.stream.write("\n")
        self.stream.flush()


def _problem(resp) -> str:
    try:
        body = resp.json()
        detail = body.get("detail") or body.get("title")
        errors = body.get("errors")
        return f"{resp.status_code} {detail}" + (f" {json.dumps(errors)}" if errors else "")
    except ValueError:
        return f"{resp.status_code} {resp.text[:200]}"


class Api:
    def __init__(self, base: str, token: str | None = None, timeout: float = 60.0):
        self.base = base.rstrip("/")
        self.token = token
        self.timeout = timeout
        self.http = requests.Session()

    def login(self, email: str, password: str, license_id: str | None = None):
        r = self.http.post(f"{self.base}/auth/login", json={"email": email, "password": password,
                                                           "license_id": license_id}, timeout=self.timeout)
        if r.status_code != 200:
            raise ApiError(f"login failed: {_problem(r)}")
        self.token = r.json()["access_token"]

    def post(self, path: str, body: dict) -> dict:
        r = self.http.post(f"{self.base}{path}", json=body, timeout=self.timeout,
                           headers={"Authorization": f"Bearer {self.token}"})
        if r.status_code >= 400:
            raise ApiError(f"{path}: {_problem(r)}")
        return r.json()

    def get(self, path: str) -> dict:
        r = self.http.get(f"{self.base}{path}", timeout=self.timeout,
                          headers={"Authorization": f"Bearer {self.token}"})
        if r.status_code >= 400:
            raise ApiError(f"{path}: {_problem(r)}")
        return r.json()


def connect(base: str, timeout: float = 60.0) -> Api:
    """The API at ``base``, signed in as the environment says (see the module's docstring)."""
    # an API key goes in the same Bearer header as an access token
    api = Api(base, os.environ.get("PARAPH_API_KEY") or os.environ.get("PARAPH_TOKEN"), timeout=timeout)
    if not api.token:
        email, password = os.environ.get("PARAPH_EMAIL"), os.environ.get("PARAPH_PASSWORD")
        if not email or not password:
            raise ApiError("set PARAPH_API_KEY (or PARAPH_TOKEN, or PARAPH_EMAIL and PARAPH_PASSWORD)")
        api.login(email, password, os.environ.get("PARAPH_LICENSE_ID"))
    return api
