"""The gateway's public REST API, called with the signed-in user's tokens (kept in the session).

* One ``requests.Session`` per thread (connection pooling to ``GATEWAY_URL``).
* ``get_many``: the GETs a page needs besides its main one (a list's filter pickers) sent at once, so the
  page waits for the slowest of them rather than for their sum.
* A write made for a submitted form carries an Idempotency-Key (:mod:`.submissions`): the same form posted
  twice does it once.
* Every call passes the browser's address (``X-Forwarded-For``: the gateway counts the web app as one
  trusted proxy hop, ``TRUSTED_PROXY_HOPS=1``) and its language (``Accept-Language``).
* An expired access token is refreshed once with the refresh token, transparently; when the session
  cannot be refreshed (signed out elsewhere, deactivated, password changed) it is cleared and
  :class:`SignInRequired` sends the browser to the sign-in page.
* An error answer becomes :class:`ApiError` with the problem+json body: pages catch the 422s they
  expect to show field errors; the app's error handlers turn the rest into pages (see app.py).
"""
from __future__ import annotations

import threading
from concurrent.futures import ThreadPoolExecutor

import requests
from flask import current_app, request, session

from .api_messages import NOT_SENT, translate
from .i18n import COMPANY_COUNTRY
from .submissions import idempotency_key

# the API's largest page (``limit``): paraph_platform.pagination.MAX_LIMIT, written here because importing that
# module would load SQLAlchemy into the web app
LARGEST_PAGE = 200
_local = threading.local()
# get_many's senders: shared by the app's request threads (threads start on first use, after gunicorn forks)
_fanout = ThreadPoolExecutor(max_workers=16, thread_name_prefix="api-get-many")


class ApiError(Exception):
    """An error answer: its status and problem+json; ``sent``, the JSON body of the call, for ``field_errors`` to
    word a message said of several cases as the case of the value the page sent."""

    def __init__(self, status: int, problem: dict, sent=None):
        self.status = status
        self.problem = problem if isinstance(problem, dict) else {}
        self.sent = sent
        super().__init__(f"{status} {self.problem.get('detail') or self.problem.get('title') or ''}")

    @property
    def detail(self) -> str:
        return self.problem.get("detail") or self.problem.get("title") or ""

    @property
    def field_errors(self) -> dict[str, str]:
        """{field: first message} from the problem's ``errors`` (nested keys joined with dots), in the page's
        language (:mod:`.api_messages`), knowing the value sent for that field (the errors' keys are the body's)."""
        out: dict[str, str] = {}

        def walk(prefix, value, sent):
            if isinstance(value, dict):
                for key, inner in value.items():
                    walk(f"{prefix}.{key}" if prefix else str(key), inner, _member(sent, str(key)))
            elif isinstance(value, list) and value and all(isinstance(v, str) for v in value):
                out.setdefault(prefix, translate(value[0], sent))
            elif isinstance(value, str):
                out.setdefault(prefix, translate(value, sent))
        walk("", self.problem.get("errors") or {}, self.sent)
        return out


def _member(sent, key: str):
    """The value at ``key`` of a sent body's object or list (a list's errors are keyed by index), else NOT_SENT."""
    if isinstance(sent, dict):
        return sent.get(key, NOT_SENT)
    if isinstance(sent, list) and key.isdigit() and int(key) < len(sent):
        return sent[int(key)]
    return NOT_SENT


class SignInRequired(Exception):
    """No usable session: the browser goes to the sign-in page and comes back (``next``)."""


class GatewayUnavailable(Exception):
    """The gateway did not answer (connection refused, timeout)."""


def http() -> requests.Session:
    if getattr(_local, "session", None) is None:
        _local.session = requests.Session()
    return _local.session


def _headers(token: str | None, write_key: str | None = None) -> dict:
    headers = {"Accept": "application/json", "X-Forwarded-For": request.remote_addr or "",
               "Accept-Language": request.headers.get("Accept-Language", "")}
    if token:
        headers["Authorization"] = f"Bearer {token}"
    if write_key:
        headers["Idempotency-Key"] = write_key
    return headers


def _send(method: str, path: str, token: str | None, write_key: str | None = None,
          **kwargs) -> requests.Response:
    return _request(method, current_app.config["GATEWAY_URL"].rstrip("/") + "/api/v1" + path,
                    _headers(token, write_key), current_app.config["API_TIMEOUT"], **kwargs)


def _request(method: str, url: str, headers: dict, timeout: float, **kwargs) -> requests.Response:
    """The HTTP call itself: needs no Flask context (``get_many`` runs it in its own threads)."""
    try:
        return http().request(method, url, headers=headers, allow_redirects=False, timeout=timeout, **kwargs)
    except requests.RequestException as exc:
        raise GatewayUnavailable(str(exc)) from exc


def _result(resp: requests.Response, sent=None):
    """The answer's JSON; an error answer raises ApiError (``sent``: the call's JSON body)."""
    if resp.status_code >= 400:
        try:
            problem = resp.json()
        except ValueError:
            problem = {"title": resp.reason}
        raise ApiError(resp.status_code, problem, sent)
    if resp.status_code == 204 or not resp.content:
        return None
    return resp.json()


def public(method: str, path: str, **kwargs):
    """A call without a session (sign-in, invitation, password reset)."""
    return _result(_send(method, path, None, idempotency_key(method, path, kwargs), **kwargs), kwargs.get("json"))


def call(method: str, path: str, **kwargs):
    """A call as the signed-in user; refreshes the access token once when it has expired."""
    return _result(_as_user(method, path, **kwargs), kwargs.get("json"))


def download(path: str, json: dict | None = None, **params) -> requests.Response:
    """A file of the API (a PDF, an attachment) as the signed-in user, streamed: the caller passes
    ``iter_content()`` on and closes the response; an API error raises ApiError like the other calls. With
    ``json``, a file the API makes of what is POSTed (a template's PDF preview)."""
    body = {} if json is None else {"json": json}
    resp = _as_user("GET" if json is None else "POST", path, params=params or None, stream=True, **body)
    if resp.status_code >= 400:
        _result(resp, json)
    return resp


def _as_user(method: str, path: str, **kwargs) -> requests.Response:
    if not session.get("access_token"):
        raise SignInRequired()
    key = idempotency_key(method, path, kwargs)  # once: the write sent again after a refresh is the same write
    resp = _send(method, path, session["access_token"], key, **kwargs)
    if resp.status_code == 401:
        resp.close()  # a streamed answer holds its connection until closed
        if not refresh_session():
            raise SignInRequired()
        resp = _send(method, path, session["access_token"], key, **kwargs)
        if resp.status_code == 401:
            sign_out_locally()
            raise SignInRequired()
    return resp


def get(path: str, **params):
    return call("GET", path, params=params or None)


def get_all(path: str, **params) -> list:
    """Every item of a paginated list (a picker's choices), walking its pages with ``next_cursor``."""
    items, cursor = [], None
    while True:
        page = get(path, **params, **({"cursor": cursor} if cursor else {}))
        items += page["items"]
        cursor = page.get("next_cursor")
        if not cursor:
            return items


def get_many(*calls: tuple[str, dict]) -> list:
    """The answers of several GETs ``(path, params)``, sent at once with the current access token; in order.
    The worker threads never touch the session: an answer 401 (the token expired meanwhile) is asked again
    here with ``get``, which refreshes the session once; other errors raise as ``get``'s do."""
    if not session.get("access_token"):
        raise SignInRequired()
    base = current_app.config["GATEWAY_URL"].rstrip("/") + "/api/v1"
    headers, timeout = _headers(session["access_token"]), current_app.config["API_TIMEOUT"]
    futures = [_fanout.submit(_request, "GET", base + path, headers, timeout, params=params or None)
               for path, params in calls]
    answers = []
    for (path, params), future in zip(calls, futures):
        resp = future.result()
        answers.append(get(path, **(params or {})) if resp.status_code == 401 else _result(resp))
    return answers


def post(path: str, json: dict | None = None):
    return call("POST", path, json=json or {})


def patch(path: str, json: dict):
    return call("PATCH", path, json=json)


def put(path: str, json: dict):
    return call("PUT", path, json=json)


def delete(path: str):
    return call("DELETE", path)


def refresh_session() -> bool:
    """Exchange the refresh token (single use) for a new session; False (and signed out) if refused."""
    token = session.get("refresh_token")
    if not token:
        return False
    try:
        start_session(public("POST", "/auth/refresh", json={"refresh_token": token}), same_person=True)
    except ApiError:
        sign_out_locally()
        return False
    return True


# what the sign-in reads for the pages besides its session answer (pages/auth.py): the profile's language and name
# (GET /me), in the session's "user", and the company's country (GET /license), whose ways its dates are written in
READ_AT_SIGN_IN = ("locale", "name")


def start_session(answer: dict, same_person: bool = False):
    """Keep what the pages need from a session answer of /auth/login, /refresh, /accept-invitation…
    ``same_person``: a new session of the signed-in person in the same license (a refresh, a new password), which
    keeps what the sign-in read for the pages (its answer does not carry it: the pages of a French salesperson
    with an English browser turned English, and their dates American, when her access token was refreshed)."""
    user = session.get("user") or {}
    kept = {"user": {key: user[key] for key in READ_AT_SIGN_IN if key in user},
            COMPANY_COUNTRY: session.get(COMPANY_COUNTRY)} if same_person else {"user": {}}
    session.clear()  # a new CSRF token too: nothing from before the sign-in carries over
    session.update({
        **kept, "access_token": answer["access_token"], "refresh_token": answer["refresh_token"],
        "license_id": answer["license_id"], "role": answer["role"],
        "user": {**(answer.get("user") or {}), **kept["user"]},
        "licenses": [{k: lic.get(k) for k in ("license_id", "name", "role")} for lic in answer.get("licenses", [])],
    })


def sign_out_locally():
    """Forget the tokens (the CSRF token stays: the sign-in form still needs it)."""
    csrf = session.get("csrf")
    session.clear()
    if csrf:
        session["csrf"] = csrf
