"""The portal's sign-in form filled in from the address's fragment: the staff app's set-password page sends a client
there as /portal?password_set=1&lang=fr#email=…&user_code=… (web: pages/auth.py, _filled_in). A fragment reaches
no server; the script writes it into the form, then takes it out of the address bar. (A browser runs it in
tests/e2e/web/test_email_links_client.py.)"""
from portal_service.dependencies import Renderer


def test_the_sign_in_page_fills_its_form_from_the_fragment_then_forgets_it():
    html = Renderer().render("portal.html", "fr", "N", page="home", contract_id="", labels={}, other_locale="en")
    assert 'id="login-email"' in html and 'id="login-user-code"' in html
    assert 'given.email) { $("login-email").value = given.email; }' in html
    assert 'given.user_code) { $("login-user-code").value = given.user_code; }' in html
    assert "window.history.replaceState(null, \"\", window.location.pathname + window.location.search)" in html
