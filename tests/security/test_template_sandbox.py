"""A license admin writes contract-type templates, which become HTML rendered to PDF on the server:
an attacker's template tries to read server files (file:), reach internal services (http://127.0.0.1...),
or embed another license's images. Only data: URLs and the license's own uploaded images may be fetched:
anything else is refused when the template is saved (422 naming the URL) and, if a URL only appears at
render time (a merge-field value), the render is refused and nothing is fetched or embedded. A type's PDF
preview (a template as typed, on sample data) is rendered in the same sandbox and refused alike."""
import base64
import http.client
import io
from urllib.parse import urlsplit

import pytest
from pypdf import PdfReader

pytestmark = pytest.mark.integration

PNG = base64.b64decode("iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8BQDwAEhQGAhKmMIQAAAABJRU5ErkJggg==")
JPEG_HEADER = b"\xff\xd8\xff\xe0"
PROBLEM = "application/problem+json"


@pytest.fixture
def world(system):
    """License "Vendeur": its admin (who alone writes templates and uploads their images), Fabien (front user
    manager), Nina (user), a customer. License "Rival": its admin."""
    s = system("identity", "perimeter", "contracts")
    admin = s.new_license("Vendeur SA", "admin@vendeur.test")
    fabien = s.add_user(admin, "fabien@vendeur.test", role="front_user_manager")
    nina = s.add_user(admin, "nina@vendeur.test")
    r = s.post("/api/v1/customers", token=admin["access_token"], json={"name": "Client", "kind": "company"})
    assert r.status_code == 201, r.get_json()
    rival = s.new_license("Rival SARL", "admin@rival.test")
    return {"s": s, "A": admin["access_token"], "F": fabien["access_token"], "N": nina["access_token"],
            "R": rival["access_token"], "customer_id": r.get_json()["id"]}


def _upload_logo(s, token, content=PNG, filename="logo.png", content_type="image/png"):
    return s.post("/api/v1/assets", token=token, content_type="multipart/form-data",
                  data={"file": (io.BytesIO(content), filename, content_type)})


def _contract(world, type_id, data):
    r = world["s"].post("/api/v1/contracts", token=world["F"], json={
        "title": "Mandat", "contract_type_id": type_id, "customer_id": world["customer_id"], "data": data})
    assert r.status_code == 201, r.get_json()
    return r.get_json()["id"]


def _assert_refused(r, url):
    assert r.status_code == 422, r.get_data(as_text=True)[:300]
    assert r.mimetype == PROBLEM
    assert any(url in message for message in r.get_json()["errors"]["template_html"]), r.get_json()


def _attacks(local: str) -> list[tuple[str, str]]:
    """Templates that would fetch a file or a URL, and the URL each one names."""
    return [
        ('<link rel="attachment" href="file:///proc/self/environ">', "file:///proc/self/environ"),
        ('<img src="file:///etc/hostname">', "file:///etc/hostname"),
        (f'<img src="{local}">', local),
        (f'<link rel="stylesheet" href="{local}/x.css">', f"{local}/x.css"),
        ('<img src="https://attacker.example/pixel.png">', "https://attacker.example/pixel.png"),
        ('<object data="ftp://127.0.0.1/secret"></object>', "ftp://127.0.0.1/secret"),
        ('<style>body { background: url("file:///etc/passwd") }</style>', "file:///etc/passwd"),
        (f'<style>@import "{local}/import.css";</style>', f"{local}/import.css"),
        ('<p style="background-image: url(file:///etc/shadow)">x</p>', "file:///etc/shadow"),
        ('<base href="file:///etc/"><img src="hostname">', "file:///etc/"),
        ('<embed src="file:///etc/hosts">', "file:///etc/hosts"),
        ('{% if fields.x == "never" %}<img src="file:///etc/group">{% endif %}', "file:///etc/group"),
        ('<img src="{{ \'fi\' ~ \'le:///etc/passwd\' }}">', "file:///etc/passwd"),
    ]


def test_a_template_that_would_fetch_anything_is_refused_when_saved(world, http_trap):
    s = world["s"]
    local = f"{http_trap.url}/internal"  # answers 302 to file:///etc/passwd, if it were ever asked
    for index, (template, url) in enumerate(_attacks(local)):
        r = s.post("/api/v1/contract-types", token=world["A"], json={
            "name": f"Piège {index}", "template_html": template, "merge_fields": [{"key": "x", "label": "X"}]})
        _assert_refused(r, url)
    # the same through an update: refused, and the stored template is unchanged
    r = s.post("/api/v1/contract-types", token=world["A"], json={"name": "Propre", "template_html": "<p>ok</p>"})
    assert r.status_code == 201, r.get_json()
    type_id = r.get_json()["id"]
    _assert_refused(s.patch(f"/api/v1/contract-types/{type_id}", token=world["A"], json={
        "template_html": f'<link rel="attachment" href="{local}/env">'}), f"{local}/env")
    assert s.get(f"/api/v1/contract-types/{type_id}", token=world["F"]).get_json()["template_html"] == "<p>ok</p>"
    assert http_trap.hits == []
    # control: the trap does record a request that reaches it
    parts = urlsplit(http_trap.url)
    conn = http.client.HTTPConnection(parts.hostname, parts.port, timeout=5)
    conn.request("GET", "/control")
    assert conn.getresponse().status == 302
    conn.close()
    assert http_trap.hits == ["/control"]


def test_a_url_that_only_appears_at_render_time_is_refused_and_never_fetched(world, http_trap):
    s = world["s"]
    r = s.post("/api/v1/contract-types", token=world["A"], json={
        "name": "Mandat", "merge_fields": [{"key": "x", "label": "X"}],
        "template_html": '<h1>Mandat</h1><img src="{{ fields.x }}"><link rel="attachment" href="{{ fields.x }}">'})
    assert r.status_code == 201, r.get_json()
    type_id = r.get_json()["id"]
    with open("/etc/hostname") as f:
        secret = f.read().strip()
    for url in ("file:///etc/hostname", f"{http_trap.url}/redirect-to-passwd", "hostname"):
        contract_id = _contract(world, type_id, {"x": url})
        r = s.get(f"/api/v1/contracts/{contract_id}/pdf", token=world["F"])
        _assert_refused(r, url)
        assert secret not in r.get_data(as_text=True)
        assert not r.data.startswith(b"%PDF")
    assert http_trap.hits == []
    # a data: URL is fine
    contract_id = _contract(world, type_id, {"x": "data:image/png;base64," + base64.b64encode(PNG).decode()})
    r = s.get(f"/api/v1/contracts/{contract_id}/pdf", token=world["F"])
    assert r.status_code == 200 and r.data.startswith(b"%PDF")
    assert sum(len(page.images) for page in PdfReader(io.BytesIO(r.data)).pages) == 1


def test_a_custom_column_value_is_a_url_only_at_render_time_refused_and_never_fetched(world, http_trap):
    """``{{ custom.<key> }}`` of every column of the license: a sample value that is a URL is refused when the
    template is saved (a choice's first choice), a contract's value when its PDF is rendered; nothing is fetched."""
    s, admin = world["s"], world["A"]
    for column in ({"key": "site", "label": "Site", "type": "text"},
                   {"key": "lien", "label": "Lien", "type": "choice", "choices": ["file:///etc/hostname", "x"]}):
        assert s.post("/api/v1/settings/columns", token=admin, json=column).status_code == 201
    _assert_refused(s.post("/api/v1/contract-types", token=admin, json={
        "name": "Lien", "template_html": '<img src="{{ custom.lien }}">'}), "file:///etc/hostname")
    r = s.post("/api/v1/contract-types", token=admin, json={
        "name": "Site", "template_html": '<img src="{{ custom.site }}"><link rel="attachment" href="{{ custom.site }}">'})
    assert r.status_code == 201, r.get_json()
    with open("/etc/hostname") as f:
        secret = f.read().strip()
    for url in ("file:///etc/hostname", f"{http_trap.url}/redirect-to-passwd"):
        c = world["s"].post("/api/v1/contracts", token=world["F"], json={
            "title": "Mandat", "contract_type_id": r.get_json()["id"], "customer_id": world["customer_id"],
            "custom": {"site": url}})
        assert c.status_code == 201, c.get_json()
        pdf = s.get(f"/api/v1/contracts/{c.get_json()['id']}/pdf", token=world["F"])
        _assert_refused(pdf, url)
        assert secret not in pdf.get_data(as_text=True) and not pdf.data.startswith(b"%PDF")
    assert http_trap.hits == []


def test_the_license_logo_is_embedded_by_id_and_another_license_logo_is_not(world):
    s = world["s"]
    # only managers upload; only PNG/JPEG whose bytes match; 1 MB at most
    assert _upload_logo(s, world["N"]).status_code == 403
    assert _upload_logo(s, world["F"]).status_code == 403  # a front user manager writes no template either
    assert _upload_logo(s, world["A"], b"<svg xmlns='http://www.w3.org/2000/svg'/>", "logo.svg",
                        "image/svg+xml").status_code == 415
    assert _upload_logo(s, world["A"], b"%PDF-1.7 not an image", "logo.png").status_code == 415
    assert _upload_logo(s, world["A"], JPEG_HEADER + b"x" * (1024 * 1024), "big.jpg",
                        "image/jpeg").status_code == 413
    r = _upload_logo(s, world["A"])
    assert r.status_code == 201, r.get_json()
    logo = r.get_json()
    assert logo["url"] == f"paraph-asset:{logo['id']}" and logo["content_type"] == "image/png"
    assert [a["id"] for a in s.get("/api/v1/assets", token=world["N"]).get_json()] == [logo["id"]]
    assert s.get(f"/api/v1/assets/{logo['id']}", token=world["N"]).data == PNG
    rival = _upload_logo(s, world["R"]).get_json()
    assert s.get(f"/api/v1/assets/{rival['id']}", token=world["F"]).status_code == 404
    assert s.delete(f"/api/v1/assets/{rival['id']}", token=world["A"]).status_code == 404
    assert s.get("/api/v1/assets", token=world["R"]).get_json()[0]["id"] == rival["id"]

    # the own logo (and a data: URL) render
    data_url = "data:image/png;base64," + base64.b64encode(PNG).decode()
    r = s.post("/api/v1/contract-types", token=world["A"], json={
        "name": "Avec logo", "merge_fields": [{"key": "x", "label": "X"}],
        "template_html": f'<img src="{logo["url"]}"><img src="{data_url}"><p>{{{{ fields.x }}}}</p>'
                         '<img src="{{ fields.x }}">'})
    assert r.status_code == 201, r.get_json()
    type_id = r.get_json()["id"]
    r = s.get(f"/api/v1/contracts/{_contract(world, type_id, {'x': logo['url']})}/pdf", token=world["F"])
    assert r.status_code == 200, r.get_json()
    # two images: the logo (shown twice, one image per URL) and the data: one
    assert sum(len(page.images) for page in PdfReader(io.BytesIO(r.data)).pages) == 2

    # another license's logo: refused when saved, and when it only appears at render time
    _assert_refused(s.post("/api/v1/contract-types", token=world["A"], json={
        "name": "Logo volé", "template_html": f'<img src="{rival["url"]}">'}), rival["url"])
    r = s.get(f"/api/v1/contracts/{_contract(world, type_id, {'x': rival['url']})}/pdf", token=world["F"])
    _assert_refused(r, rival["url"])

    # a deleted logo no longer renders
    assert s.delete(f"/api/v1/assets/{logo['id']}", token=world["A"]).status_code == 204
    r = s.get(f"/api/v1/contracts/{_contract(world, type_id, {'x': data_url})}/pdf", token=world["F"])
    _assert_refused(r, logo["url"])


def _preview(s, token, type_id, template=None):
    return s.post(f"/api/v1/contract-types/{type_id}/preview.pdf", token=token,
                  json={} if template is None else {"template_html": template})


def test_a_previewed_template_is_rendered_in_the_same_sandbox(world, http_trap):
    """The preview renders a template nobody saved, on sample data that takes branches the save's check does not
    (a contact, custom columns): whatever it asks for but data: URLs and the license's own images is refused with
    a 422 naming it, nothing is fetched, and no PDF is made."""
    s, admin = world["s"], world["A"]
    with open("/etc/hostname") as f:
        secret = f.read().strip()
    r = s.post("/api/v1/contract-types", token=admin, json={
        "name": "Aperçu", "merge_fields": [{"key": "x", "label": "X"}], "template_html": "<p>ok</p>"})
    assert r.status_code == 201, r.get_json()
    type_id = r.get_json()["id"]
    local = f"{http_trap.url}/internal"

    # what saving refuses, the preview refuses as typed (nothing saved, nothing fetched)
    for template, url in _attacks(local):
        _assert_refused(_preview(s, admin, type_id, template), url)

    # URLs that appear only with the preview's sample data: a contact's branch, a custom column's sample value
    assert s.post("/api/v1/settings/columns", token=admin, json={
        "key": "site", "label": "Site", "type": "choice", "choices": ["file:///etc/hostname"]}).status_code == 201
    for template, url in (
            ('{% if contact %}<link rel="attachment" href="{{ \'fi\' ~ \'le:///etc/hostname\' }}">{% endif %}',
             "file:///etc/hostname"),
            (f'{{% if contact %}}<img src="{{{{ \'{local}\' ~ \'/preview\' }}}}">{{% endif %}}', f"{local}/preview"),
            ('{% if contact %}<img src="{{ contact.first_name }}">{% endif %}', "Claire"),  # relative: no file read
            ('<img src="{{ custom.get(\'site\', \'\') }}">', "file:///etc/hostname")):
        r = _preview(s, admin, type_id, template)
        _assert_refused(r, url)
        assert secret not in r.get_data(as_text=True) and not r.data.startswith(b"%PDF")
    assert http_trap.hits == []

    # the license's own logo and a data: URL embed; another license's logo is refused
    logo = _upload_logo(s, admin).get_json()
    rival = _upload_logo(s, world["R"]).get_json()
    data_url = "data:image/png;base64," + base64.b64encode(PNG).decode()
    r = _preview(s, admin, type_id, f'<img src="{logo["url"]}"><img src="{data_url}">')
    assert r.status_code == 200 and r.data.startswith(b"%PDF")
    assert sum(len(page.images) for page in PdfReader(io.BytesIO(r.data)).pages) == 2
    _assert_refused(_preview(s, admin, type_id, f'<img src="{rival["url"]}">'), rival["url"])
    _assert_refused(_preview(s, admin, type_id, f'{{% if contact %}}<img src="{{{{ \'{rival["url"]}\' }}}}">{{% endif %}}'),
                    rival["url"])

    # only license admins preview (as only they write templates), and only their own license's types
    for token in (world["F"], world["N"]):
        assert _preview(s, token, type_id).status_code == 403
    assert _preview(s, world["R"], type_id).status_code == 404
