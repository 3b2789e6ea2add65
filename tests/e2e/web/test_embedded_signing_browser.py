"""Embedded signing in a real headless Chromium: an integrator's page, served on an origin the license allows,
frames the embed URL; the signer signs inside the frame and the page receives ``paraph:loaded`` then
``paraph:signed`` from the signing page's origin. A page on another origin is refused by frame-ancestors
and hears nothing. Real identity, perimeter, contracts and signing services behind the gateway (served on
a loopback port); the integrator's pages are served by a second loopback server (another origin)."""
import functools
import html
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from paraph_platform.testing import wait_for
from signing_service import testing as esign

pytestmark = [pytest.mark.integration, pytest.mark.e2e, pytest.mark.browser]

PARENT = """<!doctype html><html lang="en"><head><meta charset="utf-8"><title>Partner CRM</title>
<style>body {{ font: 15px system-ui, sans-serif; margin: 16px; }} iframe {{ width: 100%; height: 1250px;
border: 2px solid #1f4fd1; border-radius: 6px; }} #events li {{ font-family: monospace; }}</style></head>
<body><h1>Partner CRM – deal #42</h1><p>Events from Paraph:</p><ol id="events"></ol>
<script>
window.received = [];
window.addEventListener("message", function (e) {{
  window.received.push({{origin: e.origin, data: e.data}});
  var li = document.createElement("li");
  li.textContent = e.origin + " " + JSON.stringify(e.data);
  document.getElementById("events").appendChild(li);
}});
</script>
<iframe id="paraph" src="{src}" title="Paraph"></iframe></body></html>"""


class Integrator:
    """An integrator's site on its own origin (http://127.0.0.1:<port>): ``frame(url)`` serves a page framing
    ``url`` and returns its address."""

    def __init__(self):
        self.pages: dict[str, str] = {}
        pages = self.pages

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args):
                pass

            def do_GET(self):  # noqa: N802 - http.server's naming
                body = pages.get(self.path, "not found").encode()
                self.send_response(200 if self.path in pages else 404)
                self.send_header("Content-Type", "text/html; charset=utf-8")
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.origin = f"http://127.0.0.1:{self.server.server_address[1]}"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def frame(self, url: str) -> str:
        path = f"/deal-{len(self.pages) + 1}"
        self.pages[path] = PARENT.format(src=html.escape(url))
        return self.origin + path


@pytest.fixture
def integrators():
    sites = [Integrator(), Integrator()]
    yield sites
    for site in sites:
        site.server.shutdown()


@pytest.fixture
def world(seller):
    s, admin = seller.s, seller.admin
    r = s.post("/api/v1/quotes", json={"title": "Maintenance", "contact_id": seller.contact["id"], "lines": [
        {"description": "Maintenance", "quantity": "1", "unit_price": "990.00"}]}, token=admin)
    quote = r.get_json()
    r = s.post(f"/api/v1/contracts/{quote['id']}/signature-requests", token=admin,
               json={"signers": [{"contact_id": seller.contact["id"]}]})
    assert r.status_code == 201, r.get_json()
    return {"s": s, "admin": admin, "request": r.get_json()}


# a browser shares the machine's cores: 20 s for what the page shows
wait = functools.partial(wait_for, timeout=20.0, interval=0.1)


def received(browser) -> list:
    return browser.execute_script("return window.received || []")


def test_a_signer_signs_inside_the_integrators_page_which_hears_loaded_and_signed(world, integrators, browser,
                                                                                   screenshot):
    from selenium.webdriver.common.by import By
    s, admin, req = world["s"], world["admin"], world["request"]
    allowed, other = integrators
    live = s.serve()
    r = s.patch("/api/v1/signing/settings", json={"embed_origins": [allowed.origin]}, token=admin)
    assert r.status_code == 200, r.get_json()
    participant = req["participants"][0]["id"]

    def embed_url() -> str:
        r = s.post(f"/api/v1/signature-requests/{req['id']}/participants/{participant}/embed-url", token=admin,
                   json={"origin": allowed.origin})
        assert r.status_code == 201, r.get_json()
        return live + "/sign/" + r.get_json()["url"].split("/sign/", 1)[1]  # on the test's gateway

    # a page on an origin the license does not allow: the browser refuses to show the frame
    browser.get(other.frame(embed_url()))
    wait(lambda: any("frame-ancestors" in entry["message"] for entry in browser.get_log("browser"))
         or None, message="the frame to be refused")
    time.sleep(1)
    assert received(browser) == []
    browser.switch_to.frame(browser.find_element(By.ID, "paraph"))
    assert browser.find_elements(By.ID, "panel") == []
    browser.switch_to.default_content()
    screenshot(browser, "embedded-signing-refused-origin")

    # the allowed integrator's page: the signing page shows in the frame and says it is loaded
    browser.get(allowed.frame(embed_url()))
    wait(lambda: received(browser), message="paraph:loaded")
    loaded = received(browser)[0]
    assert loaded["origin"] == live
    assert loaded["data"] == {"type": "paraph:loaded", "request_id": req["id"], "participant_id": participant}

    # the signer signs inside the frame: code, consent, sign
    browser.switch_to.frame(browser.find_element(By.ID, "paraph"))
    browser.find_element(By.ID, "send").click()
    wait(lambda: "Code envoyé" in browser.find_element(By.ID, "msg").text, message="the code to be sent")
    browser.find_element(By.ID, "otp").send_keys(esign.otp(s, "jeanne@client.test"))
    browser.find_element(By.ID, "consent").click()
    browser.find_element(By.ID, "go").click()
    wait(lambda: "signé" in browser.find_element(By.ID, "msg").text, message="the signature")
    browser.switch_to.default_content()

    signed = wait(lambda: [m for m in received(browser) if m["data"]["type"] == "paraph:signed"],
                  message="paraph:signed")[0]
    assert signed["origin"] == live
    assert signed["data"] == {"type": "paraph:signed", "request_id": req["id"], "participant_id": participant,
                              "action": "sign"}
    screenshot(browser, "embedded-signing-signed", wide_ok=True)  # the integrator's page (this test's)
    assert [m["data"]["type"] for m in received(browser)] == ["paraph:loaded", "paraph:signed"]

    # the act is recorded like any signature, and the opening of the embedded page is in the audit trail
    detail = s.get(f"/api/v1/signature-requests/{req['id']}", token=admin).get_json()
    assert [e["action"] for e in detail["evidence"]] == ["sign"]
    opened = [a for a in detail["audit_trail"] if a["type"] == "embed_opened"]
    assert [a["data"]["origin"] for a in opened] == [allowed.origin, allowed.origin]  # the refused frame too
