"""A form posted twice does its writes once: the writes made for a submitted form carry an Idempotency-Key
built from the form's one-time token, so the gateway answers a second post of the same form with the first
answer. Against a fake gateway that records the keys it is sent."""
from __future__ import annotations

import io
import re

from flask import Flask, jsonify, request

from paraph_web.submissions import SUBMISSION_FIELD
from web.tests.test_web import csrf, sign_in, web_in_front_of


def form_tokens(client, path: str) -> dict:
    page = client.get(path).get_data(as_text=True)
    return {"csrf_token": csrf(client, path),
            SUBMISSION_FIELD: re.search(rf'name="{SUBMISSION_FIELD}" value="([^"]+)"', page).group(1)}


def recording_gateway() -> tuple[Flask, list]:
    fake, keys = Flask("fake_gateway"), []

    @fake.post("/api/v1/customers")
    def create_customer():
        keys.append(request.headers.get("Idempotency-Key"))
        return jsonify({"id": "cu-1", "name": request.get_json()["name"]}), 201

    @fake.post("/api/v1/contracts/<contract_id>/attachments")
    def add_attachment(contract_id):
        keys.append(request.headers.get("Idempotency-Key"))
        return jsonify({"id": "at-1"}), 201

    @fake.get("/api/v1/<path:anything>")
    def reads(anything):
        keys.append(("GET", request.headers.get("Idempotency-Key")))
        return jsonify({"items": []})
    return fake, keys


def test_the_same_form_posted_twice_sends_its_write_under_the_same_key():
    fake, keys = recording_gateway()
    with web_in_front_of(fake) as web:
        client = web.test_client()
        sign_in(client)
        form = {**form_tokens(client, "/customers/new"), "kind": "company", "name": "Boulangerie Martin"}
        for _ in range(2):  # a double click
            assert client.post("/customers/new", data=form).status_code == 302
        client.post("/customers/new", data={**form, "name": "Boulangerie Martin et fils"})  # changed: another
        client.post("/customers/new", data={**form_tokens(client, "/customers/new"), "kind": "company",
                                            "name": "Boulangerie Martin"})  # the form shown again: another
        client.post("/customers/new", data={key: value for key, value in form.items() if key != SUBMISSION_FIELD})
    first, again, changed, shown_again, without_token = [key for key in keys if not isinstance(key, tuple)]
    assert first and len(first) == 64 and again == first
    assert len({first, changed, shown_again}) == 3 and without_token is None
    assert all(key is None for kind, key in (k for k in keys if isinstance(k, tuple)))  # reads carry none


def test_an_upload_posted_again_is_the_same_write_only_with_the_same_file():
    fake, keys = recording_gateway()
    with web_in_front_of(fake) as web:
        client = web.test_client()
        sign_in(client)
        tokens = form_tokens(client, "/customers/new")  # any page's form: the token is the form's, not the page's

        def upload(content: bytes):
            client.post("/contracts/c-1/documents", content_type="multipart/form-data",
                        data={**tokens, "folder": "", "file": (io.BytesIO(content), "devis.pdf")})
        upload(b"%PDF first")
        upload(b"%PDF first")
        upload(b"%PDF second")  # the same name, another file: uploaded
    first, again, other = [key for key in keys if not isinstance(key, tuple)]
    assert first and again == first and other != first
