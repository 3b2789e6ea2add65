"""Templates and delivery log through the gateway: roles, validation (422), effect on sent emails."""
import pytest

pytestmark = pytest.mark.integration

CUSTOM_TEXT = "Bonjour {{ name }},\n\nActivez votre accès à {{ license_name }} : {{ link }}\n\nÀ bientôt"


def test_templates_are_editable_per_license_and_locale(paraph):
    p = paraph()
    admin = p.activate("Templates SA", "admin@tpl.test")
    token = admin["access_token"]

    listing = p.get("/api/v1/notification-templates", token=token).json
    from notify_service.templates import LOCALES, TEMPLATE_NAMES
    assert len(listing) == len(TEMPLATE_NAMES) * len(LOCALES) and not any(t["customized"] for t in listing)
    assert {t["name"] for t in listing} >= {"invitation", "quote_send", "quote_reminder", "signature_otp"}
    one = p.get("/api/v1/notification-templates/invitation?locale=en", token=token).json
    assert one["locale"] == "en" and "link" in one["variables"] and one["required_variable"] == "link"
    assert one["default"]["subject"] == one["subject"]

    # invalid templates: a clear 422, nothing saved
    bad = [({"subject": "Hi {{ first_name }}", "text": "{{ link }}"}, "subject", "unknown variables: first_name"),
           ({"subject": "Hi", "text": "{% for x in %}{{ link }}"}, "text", "syntax error"),
           ({"subject": "Hi", "text": "no link here"}, "text", "must contain {{ link }}"),
           ({"subject": "Hi"}, "text", ""),
           ({"subject": "Hi", "text": "{{ link }}", "color": "red"}, "color", "")]
    for body, field, words in bad:
        r = p.put("/api/v1/notification-templates/invitation?locale=fr", json=body, token=token)
        assert r.status_code == 422 and r.mimetype == "application/problem+json", r.json
        assert field in r.json["errors"] and words in " ".join(r.json["errors"][field]), r.json
    assert p.put("/api/v1/notification-templates/nope?locale=fr", json={"subject": "x", "text": "y"},
                 token=token).status_code == 404
    assert p.get("/api/v1/notification-templates/invitation?locale=de", token=token).status_code == 422

    # preview: saved template or draft, sample variables or given ones
    r = p.post("/api/v1/notification-templates/quote_send/preview?locale=en",
               json={"vars": {"number": "Q-7"}}, token=token)
    assert r.status_code == 200 and "Q-7" in r.json["subject"] and "View the quote" in r.json["html"]
    # the samples a person would type are in the preview's language
    assert "Annual maintenance" in r.json["subject"] + r.json["text"], r.json
    assert "Maintenance annuelle" not in r.json["text"] and "Bonne lecture" not in r.json["text"], r.json
    r = p.post("/api/v1/notification-templates/quote_send/preview?locale=fr", json={}, token=token)
    assert "Maintenance annuelle" in r.json["subject"] + r.json["text"] and "Bonne lecture." in r.json["text"], r.json
    # a draft's text is previewed as saving it would send it: the HTML derived from that text, not the saved HTML
    r = p.post("/api/v1/notification-templates/quote_send/preview?locale=en",
               json={"subject": "Q", "text": "New words.\n\nView the document: {{ link }}"}, token=token)
    assert r.status_code == 200 and "New words." in r.json["html"] and "View the document</a>" in r.json["html"]
    assert "Please find our quote" not in r.json["html"], r.json["html"]
    r = p.post("/api/v1/notification-templates/invitation/preview?locale=fr",
               json={"text": "{{ link }} {{ nope }}"}, token=token)
    assert r.status_code == 422 and "nope" in " ".join(r.json["errors"]["text"])

    r = p.put("/api/v1/notification-templates/invitation?locale=fr",
              json={"subject": "Bienvenue chez {{ license_name }}", "text": CUSTOM_TEXT}, token=token)
    assert r.status_code == 200 and r.json["customized"] and r.json["html"] is None, r.json
    p.post("/api/v1/users", json={"email": "new@tpl.test"}, token=token)
    [m] = p.sink.wait_for_messages(to="new@tpl.test")
    assert m["subject"] == "Bienvenue chez Templates SA"
    assert "Activez votre accès à Templates SA : http://paraph.test/set-password?token=" in m["text"]
    # no name known: a template saved as "Bonjour {{ name }}," greets the address, as it did when it was written
    assert m["text"].startswith("Bonjour new@tpl.test,"), m["text"]
    assert any("set-password?token=" in l for l in m["links"]) and "<a href=" in m["html"]
    # English is still the default
    assert not p.get("/api/v1/notification-templates/invitation?locale=en", token=token).json["customized"]

    r = p.delete("/api/v1/notification-templates/invitation?locale=fr", token=token)
    assert r.status_code == 200 and not r.json["customized"]
    p.post("/api/v1/users", json={"email": "newer@tpl.test"}, token=token)
    [m] = p.sink.wait_for_messages(to="newer@tpl.test")
    assert m["subject"] == "Invitation à rejoindre Templates SA sur Paraph"
    assert m["text"].splitlines()[0] == "Bonjour,", m["text"]  # Paraph's own wording, without a name


def test_delivery_log_for_managers_only_and_scoped_by_license(paraph):
    p = paraph()
    admin = p.activate("Log Corp", "admin@log.test")
    other = p.activate("Other Corp", "admin@other.test")
    fum = p.join(admin, "fum@log.test", role="front_user_manager")
    user = p.join(admin, "user@log.test")
    assert p.get("/api/v1/notification-templates", token=fum["access_token"]).status_code == 403
    assert p.get("/api/v1/notifications", token=user["access_token"]).status_code == 403

    page = p.get("/api/v1/notifications?template=invitation&status=sent&count=true", token=fum["access_token"]).json
    assert {n["recipient"] for n in page["items"]} == {"admin@log.test", "fum@log.test", "user@log.test"}
    assert page["total"] == 3 and all(n["message_id"] and n["sent_at"] for n in page["items"])
    assert "vars" not in page["items"][0]  # single-use links are never exposed
    one = p.get("/api/v1/notifications?recipient=USER@log.test", token=admin["access_token"]).json["items"]
    assert len(one) == 1 and one[0]["subject"].startswith("Invitation")
    assert p.get(f"/api/v1/notifications/{one[0]['id']}", token=admin["access_token"]).json["id"] == one[0]["id"]
    assert p.get(f"/api/v1/notifications/{one[0]['id']}", token=other["access_token"]).status_code == 404
    assert p.get("/api/v1/notifications?count=true", token=other["access_token"]).json["total"] == 1
    assert p.get("/api/v1/notifications?since=2000-01-01T00:00:00Z&until=2100-01-01T00:00:00%2B01:00&count=1",
                 token=admin["access_token"]).json["total"] == 3
    assert p.get("/api/v1/notifications?since=2100-01-01T00:00:00Z&count=true",
                 token=admin["access_token"]).json["total"] == 0
    for query in ("status=lost", "limit=0", "since=yesterday", "channel=fax", "template=nope", "offset=10001",
                  "cursor=nope", "count=maybe"):
        r = p.get(f"/api/v1/notifications?{query}", token=admin["access_token"])
        assert r.status_code == 422 and r.mimetype == "application/problem+json", query


def test_salespeople_preview_the_quote_emails_they_send_and_nothing_else(paraph):
    """The send screen shows a salesperson what the customer will read: the license's saved quote_send /
    quote_reminder with the quote's own details. Drafts and the other templates stay for license admins."""
    p = paraph()
    admin = p.activate("Preview SA", "admin@preview.test")
    user = p.join(admin, "user@preview.test")["access_token"]
    r = p.put("/api/v1/notification-templates/quote_send?locale=fr", token=admin["access_token"],
              json={"subject": "Proposition {{ number }}", "text": "Bonjour {{ name }}, {{ message }} {{ link }}"})
    assert r.status_code == 200, r.json
    r = p.post("/api/v1/notification-templates/quote_send/preview?locale=fr", token=user,
               json={"vars": {"number": "D-9", "name": "Alice", "message": "À bientôt", "link": "(lien)"}})
    assert r.status_code == 200, r.json
    assert r.json["subject"] == "Proposition D-9" and "Bonjour Alice, À bientôt (lien)" in r.json["text"]
    assert p.post("/api/v1/notification-templates/quote_reminder/preview?locale=en", token=user,
                  json={}).status_code == 200
    for name, body in (("invitation", {}), ("quote_send", {"subject": "draft"}), ("quote_send", {"text": "x"})):
        r = p.post(f"/api/v1/notification-templates/{name}/preview?locale=fr", token=user, json=body)
        assert r.status_code == 403 and r.mimetype == "application/problem+json", (name, body, r.json)
