"""The integrators' API reference, GET /api/v1/docs: Redoc (vendored, no CDN) renders the served OpenAPI
document in a real headless Chromium under the page's Content-Security-Policy, with no console error."""
import pytest

pytestmark = [pytest.mark.integration, pytest.mark.e2e, pytest.mark.browser]


def test_the_api_reference_renders_the_served_document_under_its_csp(system, browser, screenshot):
    from selenium.webdriver.common.by import By
    s = system("identity")
    r = s.get("/api/v1/docs")
    assert r.status_code == 200 and r.mimetype == "text/html"
    csp = r.headers["Content-Security-Policy"]
    assert "script-src 'self';" in csp and "unsafe-eval" not in csp and "default-src 'none'" in csp
    html = r.get_data(as_text=True)
    assert "<script>" not in html and "cdn" not in html.lower()  # nothing inline, nothing fetched elsewhere
    script = s.get("/api/v1/docs/redoc.standalone.js")
    assert script.status_code == 200 and script.mimetype == "text/javascript"

    live = s.serve()
    browser.get(f"{live}/api/v1/docs")
    operations = s.get("/api/v1/openapi.json").get_json()["paths"]["/api/v1/customers"]["post"]["summary"]

    def rendered():
        return "Paraph API" in browser.find_element(By.TAG_NAME, "body").text and \
            operations in browser.find_element(By.TAG_NAME, "body").text
    deadline_wait(rendered, "Redoc rendered the document")
    screenshot(browser, "api-reference")
    # Redoc's own "powered by" logo comes from its CDN: the policy blocks it on purpose (the page reaches no
    # other server) and Redoc hides the image when it fails
    errors = [entry["message"] for entry in browser.get_log("browser")
              if entry["level"] == "SEVERE" and "https://cdn.redoc.ly/redoc/logo-mini.svg" not in entry["message"]]
    assert not errors, "\n".join(errors)


def deadline_wait(predicate, message, timeout=30.0):
    import time
    deadline = time.time() + timeout
    while time.time() < deadline:
        if predicate():
            return
        time.sleep(0.2)
    raise AssertionError(f"timed out waiting until {message}")
