"""The OpenAPI document a generated client is built from tells the truth about success answers (issue 14).

* every operation declares its success status with its body: a JSON schema, a binary media type (PDFs,
  files), or 204 with no content;
* the status a view really answers (run with the RPC pool replaced by a recorder, tests/contract/gateway_map)
  is the one declared: no undocumented 204 from a view that returns nothing;
* response schemas are open (``additionalProperties: false`` only on request bodies): services add fields
  within a major version;
* every operation documents its errors as problem+json, by status where route() tells which apply.

``.venv/bin/python -m tests.contract.test_openapi_document`` prints the counts.
"""
from __future__ import annotations

import json

import pytest

from tests.contract import gateway_map as gm

PROBLEM_REF = {"$ref": "#/components/schemas/Problem"}


@pytest.fixture(scope="module")
def app():
    return gm.make_app()


@pytest.fixture(scope="module")
def document(app):
    return app.test_client().get("/api/v1/openapi.json").get_json()


def operations(document: dict):
    for path, ops in document["paths"].items():
        for method, op in ops.items():
            yield method.upper(), path, op


def success_answers(op: dict) -> dict:
    return {code: answer for code, answer in op["responses"].items() if code.startswith("2")}


def without_success_schema(document: dict) -> set[tuple[str, str]]:
    """Operations that answer a body on success without saying what it is."""
    return {(method, path) for method, path, op in operations(document)
            if not any("content" in answer or code == "204" for code, answer in success_answers(op).items())}


def closed_response_schemas(document: dict) -> set[str]:
    """Components (or inline schemas) of success answers that refuse unknown fields."""
    from paraph_gateway.openapi import _refs
    components = document["components"]["schemas"]
    names, found = set(), set()
    for method, path, op in operations(document):
        for answer in success_answers(op).values():
            _refs(answer, names)
            if '"additionalProperties": false' in json.dumps(answer):
                found.add(f"{method} {path}")
    reached = set()
    while names - reached:
        name = (names - reached).pop()
        reached.add(name)
        _refs(components[name], names)
    return found | {name for name in reached if '"additionalProperties": false' in json.dumps(components[name])}


def undocumented_statuses(app, document: dict) -> list[str]:
    """Routes whose view answers a success status the document does not declare (a 204 for a view that
    returns nothing, most often)."""
    found = []
    for route in gm.routes(app):
        path = gm.ARG.sub(lambda m: "{" + m.group(1) + "}", route.rule)
        declared = success_answers(document["paths"][path][route.method.lower()])
        body, query = gm.sample_part(route, "body", minimal=True), gm.sample_part(route, "query", minimal=True)
        answered = gm.invoke(app, route, body=body, query=query)
        # a view post-processing the recorder's fake result (PDFs) fails: only real answers are judged
        if 200 <= answered.status < 300 and str(answered.status) not in declared:
            found.append(f"{route.id}: answers {answered.status}, declares {', '.join(declared)}")
    return found


def test_every_operation_declares_what_it_answers_on_success(document):
    missing = without_success_schema(document)
    assert not missing, ("operations without a success schema (declare route(..., response=Schema), or the media "
                         "type of a binary answer in responses=, e.g. {200: 'application/pdf: ...'}): "
                         f"{sorted(missing)}")


def test_views_answer_the_success_status_they_declare(app, document):
    assert not undocumented_statuses(app, document)


def test_response_schemas_are_open(document):
    assert not closed_response_schemas(document)


def test_every_operation_documents_its_errors_as_problems(document):
    for method, path, op in operations(document):
        answers = op["responses"]
        for code in [c for c in answers if c[0] in "45"]:
            assert answers[code]["content"]["application/problem+json"]["schema"] == PROBLEM_REF, (method, path, code)
        assert {"4XX", "5XX"} <= set(answers), (method, path)
        expected = {"404"} if "{" in path else set()
        if op.get("security"):
            expected |= {"401", "403", "429"}
        if "requestBody" in op:
            expected |= {"400", "413", "415", "422"}
        if method == "GET":  # an unknown query parameter (routing.refuse_undeclared_query)
            expected |= {"422"}
        assert expected <= set(answers), f"{method} {path}: {sorted(expected - set(answers))} not documented"


def main() -> int:
    app = gm.make_app()
    document = app.test_client().get("/api/v1/openapi.json").get_json()
    count = sum(1 for _ in operations(document))
    missing = sorted(without_success_schema(document))
    print(f"{count} operations; {len(missing)} without a success schema")
    for method, path in missing:
        print(f"  {method} {path}")
    closed = sorted(closed_response_schemas(document))
    print(f"{len(closed)} closed response schemas: {', '.join(closed)}")
    statuses = undocumented_statuses(app, document)
    print(f"{len(statuses)} undocumented success statuses")
    for line in statuses:
        print(f"  {line}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())


def test_every_summary_is_a_short_plain_heading(document):
    """The reference shows a summary as the operation's heading, as plain text: no Markdown marks, not cut
    mid-sentence (it was the docstring's first line: 46 of 199 ended mid-phrase, "... the current key and")."""
    from paraph_gateway.routing import SUMMARY_MAX, operation_summary
    for method, path, op in operations(document):
        summary = op["summary"]
        assert summary and len(summary) <= SUMMARY_MAX and "`" not in summary, (method, path, summary)
        assert not summary.endswith((" and", " or", " the", " a", ",", ".")), (method, path, summary)
        assert summary.count("(") == summary.count(")"), (method, path, summary)
        # a description says more than its heading, else there is none
        assert op.get("description", "x").rstrip(".") != summary, (method, path, summary)
    assert operation_summary("""The public keys (Ed25519, EdDSA) verifying Paraph access tokens, by `kid`: the current key and
    retired keys whose tokens may still be live.""") == "The public keys (Ed25519, EdDSA) verifying Paraph access tokens, by kid"
    assert operation_summary("Remove a contact.") == "Remove a contact"
    assert operation_summary("Sign in.\n\nMore words.") == "Sign in"
    assert operation_summary("Save the company profile (the whole of it. Fields left out are emptied) as given, "
                             "with every field the PDF footer prints and more words to pass the limit.") \
        == "Save the company profile as given"


def test_the_document_says_how_to_retry_and_how_fast_to_call(document):
    """What the README promises an integrator is in the document a generated client is built from: every write
    takes an Idempotency-Key header, a signed-in caller's answers carry the RateLimit-* headers (a 429 and a 5XX
    also Retry-After), a write's answer and 4XX may say they were replayed (Idempotent-Replayed), and an error's
    `code` is one of a listed set."""
    headers = document["components"]["headers"]
    assert set(headers) == {"RateLimit-Limit", "RateLimit-Remaining", "RateLimit-Reset", "Retry-After",
                            "Idempotent-Replayed"}
    rate_limits = {"RateLimit-Limit", "RateLimit-Remaining", "RateLimit-Reset"}
    idempotency_ref = {"$ref": "#/components/parameters/IdempotencyKey"}
    assert document["components"]["parameters"]["IdempotencyKey"]["in"] == "header"
    for method, path, op in operations(document):
        assert (idempotency_ref in op["parameters"]) == (method not in ("GET", "HEAD")), (method, path)
        assert set(op["responses"]["5XX"]["headers"]) == {"Retry-After"}
        replayed = {"Idempotent-Replayed"} if method not in ("GET", "HEAD") else set()
        assert set(op["responses"]["4XX"].get("headers", {})) == replayed, (method, path)
        if "security" in op:  # a signed-in caller's: counted
            [success] = success_answers(op).values()
            assert set(success["headers"]) == rate_limits | replayed, (method, path)
            assert set(op["responses"]["429"]["headers"]) == rate_limits | {"Retry-After"}
    codes = document["components"]["schemas"]["Problem"]["properties"]["code"]["description"]
    for code in ("invalid_input", "not_found", "conflict", "rate_limited", "unavailable", "method_not_allowed"):
        assert f"`{code}`" in codes
    assert "Idempotency-Key" in document["info"]["description"]
    # a download before everybody signed: its 409 is declared
    assert "409" in document["paths"]["/api/v1/signature-requests/{request_id}/signed.pdf"]["get"]["responses"]


def test_an_upload_documents_the_bodies_it_takes(document):
    """An upload said it took application/octet-stream, which it refused (400): a client generated from the
    document could upload nothing. It says what it takes: a form with its file, or JSON with content_base64."""
    for path, method in (("/api/v1/contracts/{contract_id}/attachments", "post"), ("/api/v1/assets", "post"),
                         ("/api/v1/company-profile/logo", "put"), ("/api/v1/signatures/verify", "post")):
        content = document["paths"][path][method]["requestBody"]["content"]
        assert content["multipart/form-data"]["schema"]["properties"]["file"]["format"] == "binary", path
        assert content["application/json"]["schema"]["$ref"].endswith(".params"), path
    assert "application/octet-stream" not in json.dumps(
        document["paths"]["/api/v1/contracts/{contract_id}/attachments"]["post"]["requestBody"])


# JSON Schema keywords that constrain one type only: on a node that cannot be of that type they constrain
# nothing, and the reader (a generated client, a validator) is told a limit the schema does not express
KEYWORDS_OF = {"string": ("minLength", "maxLength", "pattern"), "array": ("minItems", "maxItems", "uniqueItems"),
               "object": ("minProperties", "maxProperties")}


def misapplied_keywords(node, path: str = "") -> list[str]:
    found = []
    if isinstance(node, dict):
        declared = node.get("type")  # a schema's type; under "properties", a field named "type" (a dict)
        types = {declared} if isinstance(declared, str) else set(declared) if isinstance(declared, list) else None
        for json_type, keywords in KEYWORDS_OF.items():
            if types is not None and json_type not in types:
                found += [f"{path}: {keyword} on type {'/'.join(sorted(map(str, types)))}" for keyword in keywords
                          if keyword in node]
        for key, value in node.items():
            found += misapplied_keywords(value, f"{path}/{key}")
    elif isinstance(node, list):
        for i, value in enumerate(node):
            found += misapplied_keywords(value, f"{path}/{i}")
    return found


def test_length_limits_are_said_in_the_keywords_of_their_type(document):
    """A signing body's ``fields`` (a map of at most 200 entries) was documented with maxLength, a string
    keyword no validator applies to an object: it is maxProperties."""
    assert not misapplied_keywords(document)
    fields = document["components"]["schemas"]["signing.public_sign.params"]["properties"]["fields"]
    assert fields["maxProperties"] == 200 and "maxLength" not in fields


def test_with_total_is_the_deprecated_alias_of_the_lists_the_readme_names(document):
    """README: "`with_total` is its deprecated alias on `/contracts` and `/quotes`" (it read as if every list
    took it; /customers answers it with a 422, an unknown parameter)."""
    taking = {path for method, path, op in operations(document) if method == "GET"
              for p in op["parameters"] if p.get("name") == "with_total" and p.get("deprecated")}
    assert taking == {"/api/v1/contracts", "/api/v1/quotes"}
    from tests.contract.export import ROOT
    assert "`with_total` is its deprecated alias on `/contracts` and `/quotes`" in (ROOT / "README.md").read_text()
