"""``route()``: one declaration per endpoint gives request parsing, auth, roles and OpenAPI docs.

A view declared with ``body=SomeSchema`` receives the validated ``body``;
``query=`` the validated query string; authenticated views receive ``actor``.
Returning a dict or list sends JSON with ``status``; a Response is sent as is.
"""
from __future__ import annotations

import functools
import os
import time
import uuid

import jwt
from flask import Response, current_app, g, jsonify, request
from marshmallow import Schema

from paraph_platform.errors import BadRequest, Forbidden, Unauthorized, UnsupportedMediaType
from paraph_platform.rpc import DEADLINE_KEY
from paraph_platform.service import IDEMPOTENCY_KEY

from .rpc import pool

SAFE_METHODS = ("GET", "HEAD", "OPTIONS")


def client_ip() -> str | None:
    """The caller's address: ProxyFix (configured with the number of trusted hops) has already
    replaced remote_addr with the right X-Forwarded-For entry, so forged entries are ignored."""
    return request.remote_addr


def actor_from_token(token: str) -> dict:
    try:
        claims = jwt.decode(token, current_app.config["JWT_SECRET"], algorithms=["HS256"],
                            options={"require": ["exp", "sub", "lic", "role"]}, leeway=5)
    except jwt.ExpiredSignatureError:
        raise Unauthorized("The access token has expired; refresh it or sign in again.") from None
    except jwt.InvalidTokenError:
        raise Unauthorized("The access token is not valid.") from None
    if claims.get("typ", "access") != "access":
        raise Unauthorized("The access token is not valid.")
    actor = {"user_id": claims["sub"], "license_id": claims["lic"], "role": claims["role"],
             "email": claims.get("email"), "name": claims.get("name")}
    if claims["role"] == "client":
        actor.update({"contact_id": claims.get("cid"), "customer_id": claims.get("cust"),
                      "company": claims.get("co"), "branch": claims.get("br")})
        if claims.get("ip") and claims["ip"] != client_ip():
            raise Forbidden("Access from this IP address is not allowed for this account.")
    return actor


def current_actor(required: bool = True) -> dict | None:
    header = request.headers.get("Authorization", "")
    if not header:
        if required:
            raise Unauthorized("Sign in first: send 'Authorization: Bearer <access token>'.")
        return None
    scheme, _, token = header.partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        raise Unauthorized("Use 'Authorization: Bearer <access token>'.")
    return actor_from_token(token.strip())


def call(service: str, method: str, *args, timeout: float | None = None, **kwargs):
    """RPC to a service with this request's deadline and idempotency key."""
    context = {"request_id": g.get("request_id")}
    # an endpoint that declares a longer timeout (PDF rendering, imports) gets its own deadline
    deadline = time.time() + float(timeout) if timeout else g.get("deadline")
    if deadline:
        context[DEADLINE_KEY] = deadline
    if request.method not in SAFE_METHODS:
        context[IDEMPOTENCY_KEY] = g.get("idempotency_key")
    return pool().call(service, method, *args, context=context, timeout=timeout, **kwargs)


def _load(schema: type[Schema] | Schema | None, data, *, partial=False):
    if schema is None:
        return None
    instance = schema() if isinstance(schema, type) else schema
    return instance.load(data, partial=partial)


def json_body() -> dict:
    if not request.data:
        return {}
    if not request.is_json:
        raise UnsupportedMediaType("Send the body as application/json.")
    data = request.get_json(silent=True)
    if data is None:
        raise BadRequest("The body is not valid JSON.")
    if not isinstance(data, dict):
        raise BadRequest("The JSON body must be an object.")
    return data


def route(bp, rule: str, methods=("GET",), *, body=None, query=None, response=None, roles=None,
          public: bool = False, summary: str = "", description: str = "", status: int = 200,
          tags=None, partial: bool = False, raw_body: bool = False, responses: dict | None = None):
    methods = tuple(m.upper() for m in methods)

    def decorate(fn):
        @functools.wraps(fn)
        def view(**url_args):
            kwargs = dict(url_args)
            if not public:
                actor = current_actor()
                if roles and actor["role"] not in roles:
                    raise Forbidden(f"This action needs one of the roles: {', '.join(roles)}.")
                kwargs["actor"] = actor
            if body is not None:
                kwargs["body"] = _load(body, json_body(), partial=partial)
            if query is not None:
                kwargs["query"] = _load(query, request.args.to_dict(flat=True))
            result = fn(**kwargs)
            if isinstance(result, Response):
                return result
            if isinstance(result, tuple):
                payload, code = result
                resp = jsonify(payload)
                resp.status_code = code
                return resp
            if result is None:
                return Response(status=204)
            resp = jsonify(result)
            resp.status_code = status
            return resp

        view._paraph_doc = {
            "methods": methods, "body": body, "query": query, "response": response, "roles": roles,
            "public": public, "summary": summary or (fn.__doc__ or "").strip().split("\n")[0],
            "description": description or (fn.__doc__ or "").strip(), "status": status,
            "tags": tags or [bp.name], "raw_body": raw_body, "responses": responses or {},
        }
        bp.add_url_rule(rule, endpoint=fn.__name__, view_func=view, methods=list(methods))
        return view

    return decorate


def before_request():
    g.request_id = request.headers.get("X-Request-Id") or str(uuid.uuid4())
    g.idempotency_key = request.headers.get("Idempotency-Key") or g.request_id
    if len(g.idempotency_key) > 128:
        raise BadRequest("Idempotency-Key is at most 128 characters.")
    g.deadline = time.time() + float(current_app.config["RPC_TIMEOUT"])


def after_request(resp):
    resp.headers.setdefault("X-Request-Id", g.get("request_id", ""))
    resp.headers.setdefault("X-Content-Type-Options", "nosniff")
    return resp


def env_flag(name: str, default: bool = False) -> bool:
    return os.environ.get(name, "1" if default else "0").lower() in ("1", "true", "yes")
