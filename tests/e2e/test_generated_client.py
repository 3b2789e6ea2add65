"""A client generated from the served OpenAPI document works against the running system (issue 14).

openapi-python-client generates a typed client from /api/v1/openapi.json into a temporary directory (any
warning fails: an operation or a model it had to leave out is a document a client cannot trust); then a
sales flow runs through its typed functions only: customer -> contact -> quote -> webhook subscription ->
signature request, until the webhook receiver gets signature.requested.v1. Every answer must be parsed
into the generated model of its declared status, and its JSON body must validate against the operation's
declared response schema (jsonschema, 2020-12: what OpenAPI 3.1 schemas are): a parse failure or a
validation error means the document says something the service does not do.
"""
from __future__ import annotations

import importlib
import json
import os
import queue
import subprocess
import sys
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import jsonschema
import pytest
import requests

pytestmark = [pytest.mark.integration, pytest.mark.e2e, pytest.mark.timeout(300)]

PACKAGE = "paraph_generated_client"
EVENTS = ["signature.requested.v1", "contract.sent.v1"]


@pytest.fixture
def webhook_inbox():
    """A loopback endpoint answering 200 to every POST; the bodies it received, in a queue."""
    inbox: queue.Queue = queue.Queue()

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self):  # noqa: N802 - http.server's naming
            inbox.put(json.loads(self.rfile.read(int(self.headers.get("Content-Length") or 0))))
            self.send_response(200)
            self.send_header("Content-Length", "0")
            self.end_headers()

        def log_message(self, *args):
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    inbox.url = f"http://127.0.0.1:{server.server_address[1]}/hooks"
    yield inbox
    server.shutdown()
    server.server_close()


def generate_client(document: dict, workdir: Path, monkeypatch):
    """The package openapi-python-client generates from ``document``, imported (for this test only)."""
    spec_path = workdir / "openapi.json"
    spec_path.write_text(json.dumps(document))
    # the generator reads binary answers (and takes binary bodies) as files only when told which media types are bytes
    config = workdir / "generator.json"
    config.write_text(json.dumps({"content_type_overrides": {
        media: "application/octet-stream" for media in binary_media_types(document)}}))
    bin_dir = Path(sys.executable).parent  # the generator formats its output with ruff, from the same venv
    run = subprocess.run([str(bin_dir / "openapi-python-client"), "generate", "--path", str(spec_path),
                          "--meta", "none", "--config", str(config), "--output-path", str(workdir / PACKAGE)],
                         capture_output=True, text=True, timeout=240, cwd=workdir,
                         env={**os.environ, "PATH": f"{bin_dir}{os.pathsep}{os.environ.get('PATH', '')}"})
    output = run.stdout + run.stderr
    assert run.returncode == 0, output
    assert "WARNING" not in output and "Unable to" not in output, f"the generator left things out:\n{output}"
    monkeypatch.syspath_prepend(str(workdir))
    for name in [m for m in sys.modules if m == PACKAGE or m.startswith(f"{PACKAGE}.")]:
        monkeypatch.delitem(sys.modules, name)
    return importlib.import_module(PACKAGE)


def binary_media_types(document: dict) -> set[str]:
    """The media types of files, answered (PDFs, images) or sent (a signer's uploaded file)."""
    bodies = [op.get("requestBody", {}) for ops in document["paths"].values() for op in ops.values()]
    answers = [answer for ops in document["paths"].values() for op in ops.values() for answer in op["responses"].values()]
    return {media for part in bodies + answers for media, content in part.get("content", {}).items()
            if content["schema"].get("format") == "binary" and media != "application/octet-stream"}


class Conformance:
    """Checks an answer of the generated client against the operation the document declares."""

    def __init__(self, document: dict):
        self.document = document

    def __call__(self, answer, method: str, path: str, model):
        status = int(answer.status_code)
        declared = self.document["paths"][path][method]["responses"]
        assert str(status) in declared, f"{method.upper()} {path}: {status} is not declared: {answer.content[:500]}"
        assert 200 <= status < 300, f"{method.upper()} {path}: {status} {answer.content[:500]}"
        if status == 204:
            assert not answer.content and "content" not in declared["204"], f"{method.upper()} {path}: {answer.content}"
            return None
        assert isinstance(answer.parsed, model), (
            f"{method.upper()} {path}: the generated client parsed {type(answer.parsed).__name__}, "
            f"not {model.__name__}")
        schema = declared[str(status)]["content"]["application/json"]["schema"]
        # $refs point into the document: validate within it
        jsonschema.Draft202012Validator({"components": self.document["components"], "allOf": [schema]}).validate(
            json.loads(answer.content))
        return answer.parsed


def test_a_generated_client_runs_the_sales_flow_with_every_answer_as_documented(system, webhook_inbox, tmp_path,
                                                                                 monkeypatch):
    s = system("identity", "perimeter", "contracts", "signing", "notify",
               service_config={"notify": {"WEBHOOK_ALLOW_PRIVATE": "1", "WEBHOOK_RETRY_SCHEDULE": "0.2,0.2"}})
    admin = s.new_license("Generated SA", "admin@generated.test")
    base = s.serve()
    document = requests.get(f"{base}/api/v1/openapi.json", timeout=10).json()
    api = generate_client(document, tmp_path, monkeypatch)
    from paraph_generated_client import models
    from paraph_generated_client.api.auth import auth_me
    from paraph_generated_client.api.contract_types import contracts_list_contract_types
    from paraph_generated_client.api.contracts import contracts_get_contract, contracts_history
    from paraph_generated_client.api.customers import (contracts_add_contact, contracts_create_customer,
                                                       contracts_customer_history, contracts_get_contact,
                                                       contracts_list_customers, contracts_update_contact)
    from paraph_generated_client.api.e_signature import signing_create_request, signing_get_request, signing_my_tasks
    from paraph_generated_client.api.milestones import contracts_add_milestone, contracts_delete_milestone
    from paraph_generated_client.api.perimeters import perimeters_create_perimeter, perimeters_delete_perimeter
    from paraph_generated_client.api.quotes import contracts_create_quote, contracts_list_quotes
    from paraph_generated_client.api.settings import contracts_create_flag, contracts_delete_flag
    from paraph_generated_client.api.tasks import contracts_add_task
    from paraph_generated_client.api.webhooks import notify_create_webhook, notify_list_webhook_deliveries

    client = api.AuthenticatedClient(base_url=base, token=admin["access_token"], raise_on_unexpected_status=True)
    conforms = Conformance(document)

    customer = conforms(contracts_create_customer.sync_detailed(
        client=client, body=models.ContractsCreateCustomerParams.from_dict({"name": "Client SARL",
                                                                            "email": "hello@client.test"})),
        "post", "/api/v1/customers", models.ContractsCreateCustomer)
    contact = conforms(contracts_add_contact.sync_detailed(
        customer.id, client=client, body=models.ContractsAddContactParams.from_dict(
            {"first_name": "Jeanne", "last_name": "Dupont", "email": "jeanne@client.test"})),
        "post", "/api/v1/customers/{customer_id}/contacts", models.ContractsAddContact)
    assert contact.customer_id == customer.id and contact.name == "Jeanne Dupont"
    quote = conforms(contracts_create_quote.sync_detailed(
        client=client, body=models.ContractsCreateContractParams.from_dict({
            "title": "Maintenance 2027", "contact_id": contact.id,
            "lines": [{"description": "Maintenance", "quantity": "1", "unit_price": "1200.00", "tax_rate": "20"}]})),
        "post", "/api/v1/quotes", models.ContractsCreateContract)
    # the documents around a quote: each answer as its operation declares it
    conforms(auth_me.sync_detailed(client=client), "get", "/api/v1/me", models.IdentityMe)
    conforms(contracts_list_customers.sync_detailed(client=client), "get", "/api/v1/customers",
             models.ContractsListCustomers)
    listed = conforms(contracts_list_quotes.sync_detailed(client=client), "get", "/api/v1/quotes",
                      models.ContractsListContracts)
    assert [q.id for q in listed.items] == [quote.id]
    conforms(contracts_get_contract.sync_detailed(quote.id, client=client),
             "get", "/api/v1/contracts/{contract_id}", models.ContractsGetContract)
    conforms(contracts_get_contact.sync_detailed(contact.id, client=client),
             "get", "/api/v1/contacts/{contact_id}", models.ContractsGetContact)
    conforms(contracts_update_contact.sync_detailed(
        contact.id, client=client, body=models.ContractsUpdateContactParams.from_dict({"phone": "+33 1 23 45 67 89"})),
        "patch", "/api/v1/contacts/{contact_id}", models.ContractsUpdateContact)
    conforms(contracts_customer_history.sync_detailed(customer.id, client=client),
             "get", "/api/v1/customers/{customer_id}/history", models.ContractsCustomerHistory)
    milestone = conforms(contracts_add_milestone.sync_detailed(
        quote.id, client=client,
        body=models.ContractsAddMilestoneParams.from_dict({"title": "Kick-off", "due_date": "2027-01-15"})),
        "post", "/api/v1/contracts/{contract_id}/milestones", models.ContractsAddMilestone)
    conforms(contracts_delete_milestone.sync_detailed(milestone.id, client=client),
             "delete", "/api/v1/milestones/{milestone_id}", type(None))
    conforms(contracts_add_task.sync_detailed(
        quote.id, client=client, body=models.ContractsAddTaskParams.from_dict({"title": "Call"})),
        "post", "/api/v1/contracts/{contract_id}/tasks", models.ContractsAddTask)
    conforms(contracts_history.sync_detailed(quote.id, client=client),
             "get", "/api/v1/contracts/{contract_id}/history", list)
    conforms(contracts_list_contract_types.sync_detailed(client=client), "get", "/api/v1/contract-types", list)
    flag = conforms(contracts_create_flag.sync_detailed(client=client, body=models.ContractsCreateFlagParams.from_dict(
        {"key": "vip", "label": "VIP"})), "post", "/api/v1/settings/flags", models.ContractsCreateFlag)
    conforms(contracts_delete_flag.sync_detailed(flag.id, client=client),
             "delete", "/api/v1/settings/flags/{flag_id}", models.ContractsDeleteFlag)
    perimeter = conforms(perimeters_create_perimeter.sync_detailed(
        client=client, body=models.PerimeterCreatePerimeterParams.from_dict({"name": "North"})),
        "post", "/api/v1/perimeters", models.PerimeterCreatePerimeter)
    conforms(perimeters_delete_perimeter.sync_detailed(perimeter.id, client=client),
             "delete", "/api/v1/perimeters/{perimeter_id}", models.PerimeterDeletePerimeter)

    hook = conforms(notify_create_webhook.sync_detailed(client=client, body=models.NotifyCreateWebhookParams.from_dict(
        {"url": webhook_inbox.url, "event_types": EVENTS, "description": "generated client"})),
        "post", "/api/v1/webhooks", models.NotifyCreateWebhook)
    assert hook.secret.startswith("whsec_")

    request = conforms(signing_create_request.sync_detailed(
        quote.id, client=client,
        body=models.SigningCreateRequestParams.from_dict({"signers": [{"contact_id": contact.id}]})),
        "post", "/api/v1/contracts/{contract_id}/signature-requests", models.SigningCreateRequest)
    detail = conforms(signing_get_request.sync_detailed(request.id, client=client),
                      "get", "/api/v1/signature-requests/{request_id}", models.SigningGetRequest)
    assert detail.contract_id == quote.id
    conforms(signing_my_tasks.sync_detailed(client=client), "get", "/api/v1/me/signature-tasks", list)

    event = webhook_inbox.get(timeout=30)
    assert event["type"] in EVENTS and event["license_id"] == admin["license_id"], event
    deliveries = conforms(notify_list_webhook_deliveries.sync_detailed(hook.id, client=client),
                          "get", "/api/v1/webhooks/{webhook_id}/deliveries", models.NotifyListWebhookDeliveries)
    assert event["id"] in [d.event_id for d in deliveries.items]
