"""``route()``: one declaration per endpoint gives request parsing, auth, roles and OpenAPI docs.

A view declared with ``body=SomeSchema`` receives the validated ``body``; with
``body=service_params(service, method)`` the JSON object as sent, which that service method validates (its
payload schema). ``query=`` likewise: the validated query string, or with ``query=service_params(...)`` its
parameters as sent, strings the service's schema loads ("50" -> 50, "true" -> True; a repeated parameter
counts once, its first value). A GET refuses a query parameter its operation does not declare (none without
``query=``), with the 422 a list gives: a typo or a parameter the operation does not take is never ignored
silently. Authenticated views receive ``actor``.
Returning a dict or list sends JSON with ``status``; a Response is sent as is.

``forward()``: an operation that only passes its arguments on to one service RPC and answers its result,
declared as one line of the routing table (through ``route()``: same registration, same documentation).
"""
from __future__ import annotations

import functools
import hashlib
import os
import re
import time
import uuid
from datetime import date, datetime, timezone
from email.utils import format_datetime
from typing import Callable, NamedTuple

from flask import Response, current_app, g, jsonify, request
from marshmallow import Schema

from paraph_platform.api_keys import KEY_PREFIX
from paraph_platform.contract import declares_type
from paraph_platform.errors import (BadRequest, Forbidden, InvalidInput, NotFound, Unauthorized,
                                    UnsupportedMediaType)
from paraph_platform.idempotency import REPLAYED
from paraph_platform.rpc import DEADLINE_KEY
from paraph_platform.service import IDEMPOTENCY_KEY

from . import api_keys, rate_limits
from .rpc import pool
from .service_results import ServiceParams, service_params, service_result
from .tokens import forget_after_call, verifier

SAFE_METHODS = ("GET", "HEAD", "OPTIONS")
# on the answer to a write retried under its Idempotency-Key (same body): the first answer, replayed
IDEMPOTENT_REPLAYED = "Idempotent-Replayed"
# the methods whose operations refuse a query parameter they do not declare: ignored, it would have them
# answer something else than what was asked (?locale=en: the PDF in the contract's language; ?stauts=draft)
QUERY_CHECKED_METHODS = ("GET", "HEAD")
# JSON bodies nested deeper than this are refused with a 400 (no endpoint takes more than a few levels;
# documented in the README)
MAX_JSON_DEPTH = 64
# the range of a 64-bit signed integer column (BIGINT), the widest integer the databases store
INT64_MIN, INT64_MAX = -(2 ** 63), 2 ** 63 - 1


def client_ip() -> str | None:
    """The caller's address: ProxyFix (configured with the number of trusted hops) has already
    replaced remote_addr with the right X-Forwarded-For entry, so forged entries are ignored."""
    return request.remote_addr


def actor_from_token(token: str) -> dict:
    """Who calls (the verified token) with the rights they have now (identity's current access state:
    a deactivation, a role change or a new portal restriction applies to this very request)."""
    tokens = verifier()
    claims = tokens.claims(token)
    rights = tokens.membership(claims)
    actor = {"user_id": claims["sub"], "license_id": claims["lic"], "role": rights["role"],
             "email": claims.get("email"), "name": claims.get("name"),
             # the license's own limit, if it has one (rate_limits)
             "rate_limit_per_window": rights.get("rate_limit_per_window")}
    if rights["role"] == "client":
        actor.update({key: rights[key] for key in ("contact_id", "customer_id", "company", "branch")})
        if rights["allowed_ip"] and rights["allowed_ip"] != client_ip():
            raise Forbidden("Access from this IP address is not allowed for this account.")
    return actor


def current_actor(required: bool = True) -> dict | None:
    header = request.headers.get("Authorization", "")
    api_key = request.headers.get(api_keys.HEADER, "").strip()
    if api_key:
        if header:
            raise BadRequest(f"Send either Authorization or {api_keys.HEADER}, not both.")
        return api_keys.actor(api_key, client_ip())
    if not header:
        if required:
            raise Unauthorized("Sign in first: send 'Authorization: Bearer <access token>'.")
        return None
    scheme, _, token = header.partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        raise Unauthorized("Use 'Authorization: Bearer <access token>'.")
    if token.strip().startswith(KEY_PREFIX):
        return api_keys.actor(token.strip(), client_ip())
    return actor_from_token(token.strip())


def call(service: str, method: str, *args, timeout: float | None = None, **kwargs):
    """RPC to a service with this request's deadline and idempotency key."""
    context = {"request_id": g.get("request_id")}
    # an endpoint that declares a longer timeout (PDF rendering, imports) gets its own deadline
    deadline = time.time() + float(timeout) if timeout else g.get("deadline")
    if deadline:
        context[DEADLINE_KEY] = deadline
    if request.method not in SAFE_METHODS:
        context[IDEMPOTENCY_KEY] = scoped_idempotency_key()
    marks: dict = {}
    try:
        result = pool().call(service, method, *args, context=context, timeout=timeout, marks=marks, **kwargs)
    finally:  # the first answer (or refusal) of this Idempotency-Key, replayed: after_request says so
        if marks.get(REPLAYED):
            g.idempotent_replayed = True
    forget_after_call(service, method, g.get("actor"), result)
    return result


def scoped_idempotency_key() -> str:
    """The key services store for this request's writes: the client's Idempotency-Key (or the request id)
    bound to the caller (license and user; address for public routes), so a key value reused by another
    tenant or user neither replays their result nor blocks them with a 409."""
    actor = g.get("actor")
    owner = f"{actor['license_id']}:{actor['user_id']}" if actor else f"anonymous:{client_ip()}"
    return hashlib.sha256(f"{owner}\n{g.get('idempotency_key')}".encode()).hexdigest()


def json_deeper_than(value, limit: int = MAX_JSON_DEPTH) -> bool:
    """Is this parsed JSON value nested more than ``limit`` levels? Level by level, without recursion."""
    level = [value] if isinstance(value, (dict, list)) else []
    for _ in range(limit):
        if not level:
            return False
        level = [child for node in level for child in (node.values() if isinstance(node, dict) else node)
                 if isinstance(child, (dict, list))]
    return bool(level)


def unstorable_values(value, path: str = "") -> dict[str, str]:
    """Path -> why, for the values of a loaded payload that no database column can hold: integers beyond
    64 bits (an OverflowError in SQLite and PostgreSQL) and text with NUL characters (PostgreSQL refuses them)."""
    if isinstance(value, bool):
        return {}
    if isinstance(value, int):
        ok = INT64_MIN <= value <= INT64_MAX
        return {} if ok else {path or "_schema": f"Must be between {INT64_MIN} and {INT64_MAX}."}
    if isinstance(value, str):
        return {path or "_schema": "Must not contain NUL (\\u0000) characters."} if "\x00" in value else {}
    children = value.items() if isinstance(value, dict) else enumerate(value) if isinstance(value, (list, tuple)) else ()
    found = {}
    for key, child in children:
        found.update(unstorable_values(child, f"{path}.{key}" if path else str(key)))
    return found


def _load(schema: type[Schema] | Schema | ServiceParams | None, data, *, partial: bool = False):
    if schema is None:
        return None
    if isinstance(schema, ServiceParams):
        loaded = data  # the service loads its payload with that very schema (its 422 is the same problem)
        not_from_client = sorted(set(schema.left_out) & set(data))
        if not_from_client:
            raise InvalidInput("The request contains invalid fields.",
                               {"fields": {name: ["Unknown field."] for name in not_from_client}})
    else:
        instance = schema() if isinstance(schema, type) else schema
        loaded = instance.load(data, partial=partial)
    # marshmallow takes integers of any size and strings with NUL characters, which the databases refuse
    # (a 500): every value of every body and query is checked here, once, rather than field by field (the
    # OpenAPI document declares the integer bounds: openapi.int64_bounds, openapi.bounded_payload; the integers of
    # a service's payload used as a query are still strings here: require_bounded_integers)
    refused = unstorable_values(loaded)
    if refused:
        raise InvalidInput("The request contains invalid fields.",
                           {"fields": {path: [why] for path, why in refused.items()}})
    return loaded


def require_bounded_integers(query: ServiceParams) -> None:
    """A query string's values reach the service as the strings sent, which unstorable_values cannot judge:
    each integer parameter of a service's payload schema used as a query must declare a range within 64 bits
    (validate.Range), which the service's schema enforces (its 422) before any database sees the value."""
    for name, prop in query.json_schema().get("properties", {}).items():
        if not declares_type(prop, "integer"):
            continue
        low = prop.get("minimum", prop.get("exclusiveMinimum"))
        high = prop.get("maximum", prop.get("exclusiveMaximum"))
        if low is None or high is None or low < INT64_MIN or high > INT64_MAX:
            raise TypeError(f"{query.component}: the integer {name} needs a range within 64 bits (validate.Range) "
                            f"to be a query parameter")


def declared_query_names(query: type[Schema] | Schema | ServiceParams | None) -> frozenset[str]:
    """The query parameters an operation takes: the fields of its query schema, by the name sent (a service's
    payload less the fields the client may not send); none without one."""
    if query is None:
        return frozenset()
    if isinstance(query, ServiceParams):
        return frozenset(query.json_schema().get("properties", {}))
    instance = query() if isinstance(query, type) else query
    return frozenset(field.data_key or name for name, field in instance.load_fields.items())


def refuse_undeclared_query(declared: frozenset[str]) -> None:
    """The 422 of a list given an unknown parameter (its schema's "Unknown field."), naming the parameters."""
    unknown = sorted(set(request.args) - declared)
    if unknown:
        raise InvalidInput(f"Unknown query parameter{'s' if len(unknown) > 1 else ''}: {', '.join(unknown)}.",
                           {"fields": {name: ["Unknown field."] for name in unknown}})


def json_body() -> dict:
    # a form's body (curl -d without a Content-Type) is parsed by Werkzeug into request.form, leaving
    # request.data empty: it is judged by its length, not read as "no body" (then each field "missing")
    if not request.data and not request.content_length:
        return {}
    if not request.is_json:
        raise UnsupportedMediaType("Send the body as application/json.")
    too_deep = BadRequest(f"The JSON body is nested more than {MAX_JSON_DEPTH} levels deep.")
    try:
        # the parser recurses once per level, bounded by the interpreter's recursion limit (~1,000)
        data = request.get_json(silent=True)
    except RecursionError:
        raise too_deep from None
    # only a body with more brackets than the limit can be nested deeper (most bodies skip the walk)
    raw = request.data
    if raw.count(b"[") + raw.count(b"{") > MAX_JSON_DEPTH and json_deeper_than(data):
        raise too_deep
    if data is None:
        raise BadRequest("The body is not valid JSON.")
    if not isinstance(data, dict):
        raise BadRequest("The JSON body must be an object.")
    return data


def loaded_json_body(schema) -> dict:
    """The JSON body of a view that reads it itself (an upload also taking multipart/form-data), checked as
    route(body=schema) checks it: a service's payload (``service_params``) passed on for the service to load."""
    return loaded_body(schema, json_body())


def loaded_body(schema, data: dict) -> dict:
    """``data``, the body's object a view made of another media type (an upload's form), checked as
    route(body=schema) checks a JSON body."""
    return _load(schema, data)


class FormBody(NamedTuple):
    """The multipart/form-data form of an operation's JSON body (files and fields: what browsers and most
    HTTP libraries send for uploads). ``parse`` reads the current request's form into the JSON body's object;
    ``schema`` documents the form in the OpenAPI document."""
    parse: Callable[[], dict]
    schema: dict


def deprecation_headers(deprecated_on: date, sunset_on: date | None) -> dict[str, str]:
    """What a deprecated operation answers with: ``Deprecation: @<unix time>`` (RFC 9745) from the day it
    was deprecated, and ``Sunset: <HTTP-date>`` (RFC 8594), the day it stops working, when one is set."""
    def midnight(day: date) -> datetime:
        return datetime.combine(day, datetime.min.time(), tzinfo=timezone.utc)
    headers = {"Deprecation": f"@{int(midnight(deprecated_on).timestamp())}"}
    if sunset_on is not None:
        headers["Sunset"] = format_datetime(midnight(sunset_on), usegmt=True)
    return headers


SUMMARY_MAX = 90  # characters of an operation's summary (the API reference's heading) before it is cut


def _outside_brackets(text: str, at: int) -> bool:
    return text.count("(", 0, at) == text.count(")", 0, at)


def _first_sentence(paragraph: str) -> str:
    ends = (m.end(1) for m in re.finditer(r"([.!?])\s", paragraph) if _outside_brackets(paragraph, m.start()))
    return paragraph[:next(ends, len(paragraph))]


def _before(mark: str) -> Callable[[str], str]:
    """A sentence cut at its last ``mark`` within the limit and outside brackets, if that leaves a phrase
    rather than a stub."""
    def cut(sentence: str) -> str:
        at = sentence.rfind(mark, 0, SUMMARY_MAX + len(mark))
        while at > 0 and not _outside_brackets(sentence, at):
            at = sentence.rfind(mark, 0, at)
        return sentence[:at] if at > SUMMARY_MAX // 3 else sentence
    return cut


def _without_asides(sentence: str) -> str:
    return re.sub(r"\s*\([^()]*\)", "", sentence)


_SHORTENINGS = (_before(": "), _without_asides, _before("; "), _before(", "))


def operation_summary(doc: str) -> str:
    """An operation's summary, from its docstring: the first sentence, its lines joined; a sentence longer than
    :data:`SUMMARY_MAX` ends at a colon, else loses its bracketed asides, else ends at a semicolon, else at a
    comma (what is left out is in the description, shown under it). OpenAPI summaries are plain text: no
    Markdown code marks, and no final full stop (a heading)."""
    paragraph = " ".join(line.strip() for line in doc.strip().split("\n\n")[0].splitlines())
    sentence = _first_sentence(paragraph)
    while len(sentence) > SUMMARY_MAX:  # the strongest shortening that applies, then again from the strongest
        shorter = next((cut for cut in (shorten(sentence) for shorten in _SHORTENINGS) if cut != sentence), None)
        if shorter is None:
            break
        sentence = shorter
    return sentence.replace("`", "").rstrip(".")


BINARY = {"type": "string", "format": "binary"}


def upload_body(params: ServiceParams, **form_fields: str) -> dict:
    """What an upload's ``raw_body`` takes, by media type: multipart/form-data with a ``file`` (and
    ``form_fields``: name -> what it is), or the JSON body of the service's ``params`` (content_base64)."""
    form = {"type": "object", "required": ["file"],
            "properties": {"file": BINARY, **{name: {"type": "string", "description": what}
                                              for name, what in form_fields.items()}}}
    return {"multipart/form-data": form, "application/json": params}


def route(bp, rule: str, methods=("GET",), *, body=None, query=None, response=None, roles=None,
          public: bool = False, summary: str = "", description: str = "", status: int = 200,
          tags=None, partial: bool = False, raw_body: dict | None = None, responses: dict | None = None,
          deprecated_on: date | None = None, sunset_on: date | None = None, form: FormBody | None = None,
          api_key_area: str | None = None):
    """A JSON operation of the API, documented in the OpenAPI document from these arguments. An operation
    deprecated on ``deprecated_on`` (README, "Versioning and deprecation") is marked ``deprecated`` there
    and answers with the Deprecation and Sunset headers. With ``form``, its ``body`` may also come as
    multipart/form-data, turned into the JSON body's object before the same validation. A view that reads its
    body itself (an upload) names what it takes in ``raw_body``: media type -> a JSON schema, or a service's
    params for its JSON body (:func:`upload_body`). API keys reach the operation when its tags have an area
    (:data:`.api_keys.AREAS`); ``api_key_area`` opens one whose tags have none to the keys of that area's
    scope (GET /license, read with ``users:read``: the seats an ERP sync takes)."""
    methods = tuple(m.upper() for m in methods)
    if isinstance(query, ServiceParams):
        require_bounded_integers(query)
    api_key_route_area = api_key_area or api_keys.area(rule, tags or [bp.name])
    deprecation = deprecation_headers(deprecated_on, sunset_on) if deprecated_on else {}
    query_names = declared_query_names(query)

    def decorate(fn):
        @functools.wraps(fn)
        def view(**url_args):
            kwargs = dict(url_args)
            if not public:
                actor = current_actor()
                if actor.get("service_account"):
                    api_keys.require_scope(actor, api_key_route_area, request.method)
                if roles and actor["role"] not in roles:
                    raise Forbidden(f"This action needs one of the roles: {', '.join(roles)}.")
                kwargs["actor"] = g.actor = actor
                rate_limits.enforce(actor)
            if any("\x00" in str(value) for value in url_args.values()):
                raise NotFound("No such resource.")  # no stored id holds a NUL (PostgreSQL refuses them)
            if request.method in QUERY_CHECKED_METHODS:
                refuse_undeclared_query(query_names)
            if body is not None:
                multipart = form is not None and request.mimetype == "multipart/form-data"
                kwargs["body"] = _load(body, form.parse() if multipart else json_body(), partial=partial)
            if query is not None:
                kwargs["query"] = _load(query, request.args.to_dict(flat=True))
            resp = _response(fn(**kwargs), status)
            resp.headers.extend(deprecation)
            return resp

        view._paraph_doc = {
            "methods": methods, "body": body, "query": query, "response": response, "roles": roles,
            "public": public, "summary": summary or operation_summary(fn.__doc__ or ""),
            "description": description or (fn.__doc__ or "").strip(), "status": status,
            "tags": tags or [bp.name], "raw_body": raw_body, "responses": responses or {},
            "api_key_area": api_key_route_area, "deprecated": bool(deprecated_on),
            "form_schema": form.schema if form is not None else None,
        }
        bp.add_url_rule(rule, endpoint=fn.__name__, view_func=view, methods=list(methods))
        return view

    return decorate


# the path parameters of a rule, in order ("<int:page>" -> "page")
RULE_ARGUMENT = re.compile(r"<(?:[^:<>]+:)?([^<>]+)>")
# the methods whose requests carry a body (a forward's body defaults to its RPC's payload only for these)
BODY_METHODS = ("POST", "PUT", "PATCH")


def forward(bp, method: str, rule: str, rpc: str, *, doc: str = "", endpoint: str | None = None,
            timeout: float | None = None, **route_options):
    """An operation that is a pure forward to one service RPC (``rpc``, "service.method"), declared in one
    line of the routing table instead of a view::

        forward(bp, "DELETE", "/contacts/<contact_id>", "contracts.delete_contact", roles=STAFF,
                tags=["customers"], status=204, doc="Remove a contact.")

    The RPC receives the actor (unless ``public``), the rule's path parameters in their order, then the body
    or the query, if the operation takes one; its result is the answer (none with ``status=204``). The body
    defaults to the RPC's payload schema (``service_params``) for POST, PUT and PATCH, and the documented
    answer to its result schema (``service_result``), when its contract.py declares them.

    ``doc`` is what the view's docstring would be: its first sentence is the summary, the whole of it the
    description (as written: the continuation lines of a multi-line ``doc`` are indented like a docstring's,
    which the OpenAPI document shows). The Flask endpoint, and so the operationId, is the RPC's method name
    unless ``endpoint`` names another (an operationId clients already use). ``timeout`` is the RPC's
    (``call``); ``route_options`` are route()'s (roles, tags, status, query, public, responses, ...)."""
    service, _, rpc_method = rpc.partition(".")
    method = method.upper()
    status = route_options.get("status", 200)
    if method in BODY_METHODS and "body" not in route_options and "query" not in route_options:
        route_options["body"] = _declared_schema(service_params, service, rpc_method)
    if status != 204 and "response" not in route_options:
        route_options["response"] = _declared_schema(service_result, service, rpc_method)
    payloads = [name for name in ("body", "query") if route_options.get(name) is not None]
    if len(payloads) > 1:
        raise TypeError(f"{rpc}: a forward passes one payload, the body or the query; write a view for both")
    passes_actor = not route_options.get("public", False)
    path_arguments = RULE_ARGUMENT.findall(rule)

    def forwarded(**arguments):  # what route() hands a view: actor, the path parameters, body or query
        args = ([arguments["actor"]] if passes_actor else []) + [arguments[name] for name in path_arguments]
        args += [arguments[name] for name in payloads]
        result = call(service, rpc_method, *args, timeout=timeout)
        return None if status == 204 else result

    forwarded.__name__ = forwarded.__qualname__ = endpoint or rpc_method
    forwarded.__doc__ = doc
    # the RPC, which a view's source would show in its call(...) (gateway/tests/test_openapi_gone.py reads it)
    forwarded.forwards_to = (service, rpc_method)
    return route(bp, rule, [method], **route_options)(forwarded)


def _declared_schema(schema_of, service: str, method: str):
    """``service_params`` / ``service_result`` of a service method, or None when its contract.py declares none."""
    try:
        return schema_of(service, method)
    except LookupError:
        return None


def _response(result, status: int) -> Response:
    """A view's return: a response as is, ``(payload, status)``, None (204) or the payload (``status``)."""
    if isinstance(result, Response):
        return result
    if isinstance(result, tuple):
        payload, status = result
    elif result is None:
        return Response(status=204)
    resp = jsonify(payload if isinstance(result, tuple) else result)
    resp.status_code = status
    return resp


def before_request():
    g.request_id = request.headers.get("X-Request-Id") or str(uuid.uuid4())
    g.idempotency_key = request.headers.get("Idempotency-Key") or g.request_id
    if len(g.idempotency_key) > 128:
        raise BadRequest("Idempotency-Key is at most 128 characters.")
    g.deadline = time.time() + float(current_app.config["RPC_TIMEOUT"])


def after_request(resp):
    # sessions (access and refresh tokens) and service accounts (a new API key) must never be stored by a cache
    if request.blueprint in ("auth", "service_accounts"):
        resp.headers.setdefault("Cache-Control", "no-store")
    resp.headers.setdefault("X-Request-Id", g.get("request_id", ""))
    resp.headers.setdefault("X-Content-Type-Options", "nosniff")
    if g.get("idempotent_replayed"):  # Stripe's header: a retry got the first answer, nothing was done again
        resp.headers[IDEMPOTENT_REPLAYED] = "true"
    return resp


def env_flag(name: str, default: bool = False) -> bool:
    return os.environ.get(name, "1" if default else "0").lower() in ("1", "true", "yes")
