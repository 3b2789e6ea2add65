"""OpenAPI 3.1 document generated from what ``route()`` declares: marshmallow schemas, and the services'
own payload and result schemas (service_results)."""
from __future__ import annotations

import re

from apispec import APISpec
from apispec.ext.marshmallow import MarshmallowPlugin
from marshmallow import fields

from paraph_platform.contract import declares_type, map_schema_nodes, open_objects
from paraph_platform.errors import PlatformError
from paraph_platform.pagination import MAX_OFFSET

from . import api_keys
from .routing import IDEMPOTENT_REPLAYED
from .service_results import ServiceParams, ServiceResult, ServiceSchema

# the codes an error answer can carry besides PlatformError's (every class of it: platform_error_codes):
# Flask's own answers (errors.register)
HTTP_ERROR_CODES = {"method_not_allowed": (405, "Method not allowed: the `Allow` header lists the methods")}


def platform_error_codes() -> dict[str, tuple[int, str]]:
    """Every ``code`` a PlatformError can answer with, from the classes themselves (their subclasses included,
    the gateway's rate limit too), by code: (status, title)."""
    found, todo = {}, [PlatformError]
    while todo:
        cls = todo.pop()
        found.setdefault(cls.code, (cls.status, cls.title))
        todo += cls.__subclasses__()
    return found


def problem_schema() -> dict:
    codes = {**platform_error_codes(), **HTTP_ERROR_CODES}
    catalogue = "; ".join(f"`{code}` ({status}: {title})" for code, (status, title) in
                          sorted(codes.items(), key=lambda item: (item[1][0], item[0])))
    return {
        "type": "object",
        "description": "RFC 9457 problem details. Some problems add a member about the resource they concern "
                       "(`request_status` and `participant_status` of a signature request, `contract_status` and "
                       "`allowed` of a contract that cannot move so, `version` of a contract edited meanwhile...): "
                       "test `code` and `errors`, and ignore members you do not know",
        "properties": {
            "type": {"type": "string"}, "title": {"type": "string"}, "status": {"type": "integer"},
            "detail": {"type": "string", "description": "what went wrong, for a person to read"},
            "code": {"type": "string", "description": f"what went wrong, for a program to test: {catalogue}"},
            "instance": {"type": "string"},
            "errors": {"type": "object", "description": "field name -> messages"},
            "request_id": {"type": "string", "description": "quote it to the operator: their logs find the "
                                                            "request by it"},
            "missing_scope": {"type": "string", "description": "a 403 to an API key: the scope it lacks "
                                                               "(e.g. customers:write)"},
            "idempotency": {"type": "string", "description": "a 409: the Idempotency-Key was already used for "
                                                             "another request (send a new key)"},
            "retry_after": {"type": "integer", "description": "a 429: the seconds to wait, as `Retry-After` says"},
            "request_status": {"type": "string", "description": "a 409 or 410 about a signature request: its status "
                                                                "(e.g. `completed`, `cancelled`)"},
        },
        "required": ["type", "title", "status", "detail"],
    }


IDEMPOTENCY_KEY = {
    "name": "Idempotency-Key", "in": "header", "required": False, "schema": {"type": "string", "maxLength": 128},
    "description": "Your id of this action (at most 128 characters): a retry of the operation with the same key "
                   "and body acts once and gets the first answer; the same key on that operation with another "
                   "body or another resource is a 409 (the problem's `idempotency`), and on another operation "
                   "it names another action. Without it, each request is an action of its own. A retry answered "
                   "so carries `Idempotent-Replayed: true`."}
# on the answer to a write retried with its Idempotency-Key and body: the first answer (or refusal), replayed
REPLAYED_HEADER = {IDEMPOTENT_REPLAYED: "`true` when this is the first answer to the same Idempotency-Key and body, "
                                        "replayed: nothing was done again (absent otherwise)"}
# on every answer to a signed-in caller (rate_limits.enforce), and the 429's Retry-After
RATE_LIMIT_HEADERS = {
    "RateLimit-Limit": "Requests allowed per window for this user or API key",
    "RateLimit-Remaining": "Requests left in the current window",
    "RateLimit-Reset": "Seconds until the window starts again",
}
RETRY_AFTER = {"Retry-After": "Seconds to wait before retrying (a 429; a 503 or 504 with the same Idempotency-Key)"}


def header_refs(*groups: dict) -> dict:
    """A response's headers, each the shared component of its name (build_spec declares them)."""
    return {name: name for group in groups for name in group}

GUIDE = ("Contracts, quotes and e-signature for sales teams.\n\n"
         "**Authentication.** A person signs in (`POST /api/v1/auth/login`) and sends its `access_token` as "
         "`Authorization: Bearer <token>` until its `expires_at` (`POST /api/v1/auth/refresh` gives the next); "
         "a service account "
         "sends its API key as `X-Api-Key: pk_live_...` (or as a bearer token). An API key reaches the operations "
         "its scopes name (`x-api-key-scope` on each operation; without it, API keys cannot use the operation).\n\n"
         "**Retries.** Every write takes an `Idempotency-Key` header: a retry after a timeout or a 503 never acts "
         "twice.\n\n"
         "**Rate limits.** Answers carry `RateLimit-Limit`, `RateLimit-Remaining` and `RateLimit-Reset`; a 429 "
         "carries `Retry-After`.\n\n"
         "**Errors** are application/problem+json; their `code` is listed in the Problem schema.\n\n")

_RULE_ARG = re.compile(r"<(?:[^:<>]+:)?([^<>]+)>")
_MEDIA_TYPE = re.compile(r"^([a-z*]+/[a-z0-9.+*-]+)(?::|$)")
LISTS = (f"Lists are pages: `limit`, then the answer's `next_cursor` as `cursor` for the next page (null on the "
         f"last; opaque, valid for its sort only: else 422); `count=true` adds `total`; `offset` stays for "
         f"compatibility, up to {MAX_OFFSET:,} (beyond: 422, use the cursor).")


def _schema_name(schema) -> str:
    cls = schema if isinstance(schema, type) else type(schema)
    name = cls.__name__
    return name[:-6] if name.endswith("Schema") and len(name) > 6 else name


def int64_bounds(self, field, ret, **kwargs) -> dict:
    """apispec attribute function: an integer field without a declared range gets the 64-bit bounds the
    gateway enforces on every body and query (routing.unstorable_values)."""
    return _missing_int64_bounds(ret) if isinstance(field, fields.Integer) else {}


def _missing_int64_bounds(declared: dict) -> dict:
    """The 64-bit bounds an integer's schema does not declare itself."""
    from .routing import INT64_MAX, INT64_MIN
    return {key: bound for key, bound in (("minimum", INT64_MIN), ("maximum", INT64_MAX)) if key not in declared}


def bounded_payload(schema):
    """A service's payload schema as the OpenAPI document declares it: integers without a declared range get
    the 64-bit bounds the gateway enforces on every body (routing.unstorable_values), as int64_bounds gives
    the marshmallow schemas."""
    def bounded(node: dict) -> dict:
        if declares_type(node, "integer"):
            node.update(_missing_int64_bounds(node))
        return node
    return map_schema_nodes(schema, bounded)


SCHEMA_REF = "#/components/schemas/"


def _refs(node, found: set) -> set:
    """Names of the schemas a piece of the document points to ($ref), directly (not its shared parameters and
    headers)."""
    if isinstance(node, dict):
        for key, value in node.items():
            if key == "$ref" and isinstance(value, str):
                if value.startswith(SCHEMA_REF):
                    found.add(value[len(SCHEMA_REF):])
            else:
                _refs(value, found)
    elif isinstance(node, list):
        for value in node:
            _refs(value, found)
    return found


def open_response_schemas(doc: dict) -> dict:
    """Response bodies are open objects: a marshmallow schema that raises on unknown fields becomes
    ``additionalProperties: false``, true of a request but not of a result, to which a service may add
    fields within a major version (clients ignore the ones they do not know; the committed contracts say
    the same, paraph_platform.contract.open_objects). Components used only by responses are opened;
    request components keep refusing unknown fields."""
    components = doc.get("components", {}).get("schemas", {})

    def closure(names: set) -> set:
        while True:
            grown = set(names)
            for name in names:
                _refs(components.get(name, {}), grown)
            if grown == names:
                return names
            names = grown

    responses, requests = set(), set()
    for ops in doc.get("paths", {}).values():
        for op in ops.values():
            for code, answer in op.get("responses", {}).items():
                if code.startswith("2"):
                    _refs(answer, responses)
                    op["responses"][code] = open_objects(answer)  # inline schemas
            _refs([op.get("requestBody", {}), op.get("parameters", [])], requests)
    for name in closure(responses) - closure(requests):
        components[name] = open_objects(components[name])
    return doc


def declared_response(description: str) -> dict:
    """A success entry of route(..., responses=): a description, or a media type first ("application/pdf:
    the signed document") for an answer that is not JSON (its body is then declared as binary content)."""
    media = _MEDIA_TYPE.match(description)
    if media is None:
        return {"description": description}
    return {"description": description,
            "content": {media.group(1): {"schema": {"type": "string", "format": "binary"}}}}


def error_statuses(doc: dict, path_args) -> dict[int, str]:
    """The client errors an operation can answer, from what its route() declares (the 4XX entry covers
    the rest): a generated client then knows each one by its status."""
    found = {}
    if doc["body"] is not None or doc["raw_body"]:
        found.update({400: "The body is not valid JSON (or is nested too deep)",
                      413: "The body is larger than the upload limit",
                      415: "The body is not of the declared media type",
                      422: "The input does not pass validation (problem's `errors` names the fields)"})
    if doc["query"] is not None:
        found[422] = "The input does not pass validation (problem's `errors` names the fields)"
    elif "GET" in doc["methods"]:  # routing.refuse_undeclared_query
        found[422] = "A query parameter the operation does not take (problem's `errors` names it)"
    if any(method not in ("GET", "HEAD") for method in doc["methods"]):
        found[409] = ("The resource's state does not allow this now, or the Idempotency-Key was already used "
                      "for another request")
    if not doc["public"]:
        found[401] = "No valid access token or API key"
        # roles, an API key's scopes, a portal account's allowed IP address
        found[403] = "The caller may not do this (role, API key scopes or allowed IP address)"
        found[429] = "Too many requests for this user or API key in the window: retry after `Retry-After` seconds"
    if path_args:
        found[404] = "No such resource (or not visible to the caller)"
    return dict(sorted(found.items()))


def service_schema_ref(spec: APISpec, schema: ServiceSchema) -> dict:
    """A reference to a service's exported schema, added as a component the first time."""
    document = schema.json_schema()
    if isinstance(schema, ServiceParams):
        document = bounded_payload(document)
    registered = spec.components.schemas.get(schema.component)
    if registered is None:
        spec.components.schema(schema.component, document)
    elif registered != document:  # one component name, two schemas: never document one route with the other's
        raise ValueError(f"routes document {schema.component} leaving out different fields of it (not_from_client / "
                         f"not_in_answer): the component would describe only one of them")
    return {"$ref": f"#/components/schemas/{schema.component}"}


def request_schema(spec: APISpec, body):
    """A route's JSON body in the document: a marshmallow schema (apispec resolves it), or a service's
    payload schema as the component ``<service>.<method>.params``."""
    return service_schema_ref(spec, body) if isinstance(body, ServiceParams) else body


def query_parameters(query: ServiceParams) -> list[dict]:
    """A service's payload schema as a route's query string: one parameter per property, in the form apispec
    gives a marshmallow query schema (the property's description and deprecated on the parameter)."""
    document = bounded_payload(query.json_schema())
    required = set(document.get("required", []))
    parameters = []
    for name, prop in document.get("properties", {}).items():
        schema = _without_null(prop)
        parameter = {key: schema.pop(key) for key in ("description", "deprecated") if key in schema}
        parameters.append({**parameter, "in": "query", "name": name, "required": name in required,
                           "schema": schema})
    return parameters


def _without_null(schema: dict) -> dict:
    """A property's schema less null, which a query string cannot carry (an absent parameter is the default)."""
    out = dict(schema)
    types = out.get("type")
    if isinstance(types, list) and "null" in types:
        kept = [name for name in types if name != "null"]
        out["type"] = kept[0] if len(kept) == 1 else kept
    if "enum" in out:
        out["enum"] = [value for value in out["enum"] if value is not None]
    if "default" in out and out["default"] is None:
        del out["default"]
    return out


def response_schema(spec: APISpec, response):
    """A route's success body in the document: a marshmallow schema (apispec resolves it), or a service's
    result schema as the component ``<service>.<method>``, with the view's extra fields alongside (allOf)."""
    if not isinstance(response, ServiceResult):
        return response
    ref = service_schema_ref(spec, response)
    return ref if response.extra is None else {"allOf": [ref, response.extra]}


def build_spec(app) -> dict:
    cached = app.extensions.get("paraph_openapi")
    if cached is not None:
        return cached
    spec = APISpec(title="Paraph API", version="1.0.0", openapi_version="3.1.0",
                   plugins=[MarshmallowPlugin(schema_name_resolver=_schema_name)],
                   info={"description": GUIDE + LISTS})
    spec.plugins[0].converter.add_attribute_function(int64_bounds)
    spec.components.schema("Problem", problem_schema())
    spec.components.parameter("IdempotencyKey", "header", IDEMPOTENCY_KEY)
    for name, description in {**RATE_LIMIT_HEADERS, **RETRY_AFTER}.items():
        spec.components.header(name, {"description": description, "schema": {"type": "integer", "minimum": 0}})
    for name, description in REPLAYED_HEADER.items():
        spec.components.header(name, {"description": description, "schema": {"type": "string", "enum": ["true"]}})
    spec.components.security_scheme("bearer", {
        "type": "http", "scheme": "bearer", "bearerFormat": "JWT, or an API key pk_live_...",
        "description": "A person's access token, or a service account's API key (README, 'API keys')."})
    spec.components.security_scheme("apiKey", {"type": "apiKey", "in": "header", "name": "X-Api-Key",
                                               "description": "A service account's API key, pk_live_..."})
    paths: dict[str, dict] = {}
    for rule in app.url_map.iter_rules():
        view = app.view_functions.get(rule.endpoint)
        doc = getattr(view, "_paraph_doc", None)
        if doc is None:
            continue
        path = _RULE_ARG.sub(r"{\1}", rule.rule)
        ops = paths.setdefault(path, {})
        params = [{"name": arg, "in": "path", "required": True, "schema": {"type": "string"}}
                  for arg in sorted(rule.arguments)]
        for method in doc["methods"]:
            op = {"summary": doc["summary"], "tags": doc["tags"], "operationId": rule.endpoint.replace(".", "_"),
                  "parameters": list(params), "responses": {}}
            if doc["deprecated"]:
                op["deprecated"] = True
            if doc["description"] and doc["description"].replace("`", "").rstrip(".") != doc["summary"]:
                op["description"] = doc["description"]  # it says more than the heading
            if method not in ("GET", "HEAD"):
                op["parameters"].append("IdempotencyKey")
            if isinstance(doc["query"], ServiceParams):
                op["parameters"] += query_parameters(doc["query"])
            elif doc["query"] is not None:
                op["parameters"].append({"in": "query", "schema": doc["query"]})  # apispec expands it
            if doc["body"] is not None:
                json_body = {"schema": request_schema(spec, doc["body"])}
                op["requestBody"] = {"required": True, "content": {"application/json": json_body}}
                if doc.get("form_schema"):
                    op["requestBody"]["content"]["multipart/form-data"] = doc["form_schema"]
            elif doc["raw_body"]:  # media type -> schema, or a service's params (its JSON body)
                op["requestBody"] = {"required": True, "content": {
                    media: {"schema": request_schema(spec, schema)} for media, schema in doc["raw_body"].items()}}
            ok = {"description": "Success" if doc["status"] != 204 else "Done: no content"}
            if doc["response"] is not None:
                ok["content"] = {"application/json": {"schema": response_schema(spec, doc["response"])}}
            op["responses"][str(doc["status"])] = ok
            problem = {"content": {"application/problem+json": {"schema": {"$ref": "#/components/schemas/Problem"}}}}
            for code, description in doc["responses"].items():
                op["responses"][str(code)] = (declared_response(description) if int(code) < 400
                                              else {"description": description, **problem})
            for code, description in error_statuses(doc, rule.arguments).items():
                op["responses"].setdefault(str(code), {"description": description, **problem})
            op["responses"]["4XX"] = {"description": "Client error", **problem}
            op["responses"]["5XX"] = {"description": "Server or upstream error", **problem,
                                      "headers": header_refs(RETRY_AFTER)}
            if not doc["public"]:
                op["responses"][str(doc["status"])]["headers"] = header_refs(RATE_LIMIT_HEADERS)
                op["responses"]["429"]["headers"] = header_refs(RATE_LIMIT_HEADERS, RETRY_AFTER)
                # API keys reach only the routes of an area their scopes can name (api_keys.AREAS)
                op["security"] = [{"bearer": []}, {"apiKey": []}] if doc["api_key_area"] else [{"bearer": []}]
                if doc["api_key_area"]:
                    op["x-api-key-scope"] = api_keys.scope_needed(doc["api_key_area"], method)
            if method not in ("GET", "HEAD"):  # retried with its Idempotency-Key: the first answer or refusal again
                for answer in (op["responses"][str(doc["status"])], op["responses"]["4XX"]):
                    answer["headers"] = {**answer.get("headers", {}), **header_refs(REPLAYED_HEADER)}
            ops[method.lower()] = op
    for path, ops in sorted(paths.items()):
        spec.path(path=path, operations=ops)
    result = open_response_schemas(spec.to_dict())
    app.extensions["paraph_openapi"] = result
    return result
