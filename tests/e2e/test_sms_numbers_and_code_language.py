"""One-time signing codes through the real notification path (signing -> outbox -> RabbitMQ -> notify -> the SMS
provider, here the mail sink's SMS API, or SMTP): an English company's walkthrough.

* A UK contact's mobile typed as dialled in the United Kingdom ("07700 900456") reaches the SMS provider in E.164
  (+447700900456): it is read in the country of the contact's customer (paraph_platform.phones), not handed over as
  typed. A number stored before that rule and read nowhere is not texted: the delivery log says why (the code
  request itself is answered, never a 500).
* The code's email follows the language the signer switched the signing page to, not the request's."""
import pytest
from sqlalchemy import create_engine, text

from paraph_platform.db import normalize_url
from signing_service import testing as esign

pytestmark = [pytest.mark.integration, pytest.mark.e2e]


@pytest.fixture(scope="module")
def notified_system(module_system, module_mail_sink):
    return module_system("identity", "perimeter", "contracts", "signing", "notify", service_config={"notify": {
        "SMTP_URL": module_mail_sink.smtp_url, "MAIL_FROM": "Paraph <no-reply@paraph.test>",
        "SMS_PROVIDER": "sink",
        "SMS_API_URL": module_mail_sink.sms_url}})


def _request(s, token: str, customer: dict, **signer) -> dict:
    """A quote of ``customer`` sent for signature to its first contact (``signer``: their options)."""
    contact = customer["contacts"][0]
    r = s.post("/api/v1/quotes", token=token, json={
        "title": "Workshop maintenance", "customer_id": customer["id"], "contact_id": contact["id"],
        "lines": [{"description": "Annual maintenance", "quantity": "1", "unit_price": "1200.00"}]})
    assert r.status_code == 201, r.get_json()
    r = s.post(f"/api/v1/contracts/{r.get_json()['id']}/signature-requests", token=token,
               json={"signers": [{"contact_id": contact["id"], **signer}]})
    assert r.status_code == 201, r.get_json()
    return r.get_json()


def test_a_code_texted_to_a_uk_national_number_reaches_the_sms_provider_in_e164(notified_system, module_mail_sink):
    admin = notified_system.new_license("Thames Tools Ltd", "emma@thamestools.test")
    s = notified_system.for_license(admin["license_id"])
    A = admin["access_token"]
    r = s.post("/api/v1/customers", token=A, json={
        "name": "Mersey Fittings Ltd", "address": {"city": "Liverpool", "country": "GB"},
        "contacts": [{"first_name": "Oliver", "last_name": "Hughes", "email": "oliver@mersey.test",
                      "mobile": "07700 900456"}]})
    assert r.status_code == 201, r.get_json()
    customer = r.get_json()
    assert customer["contacts"][0]["mobile"] == "07700 900456"  # the API answers it as typed
    req = _request(s, A, customer, otp_channel="sms")
    assert req["participants"][0]["phone_masked"] == "+44********56"

    tok = esign.token(s, "oliver@mersey.test")
    r = s.post(f"/api/v1/sign/{tok}/otp", json={"channel": "sms"})
    assert r.status_code == 200 and r.get_json()["destination"] == "+44********56", r.get_json()
    [sms] = module_mail_sink.wait_for_sms(to="+447700900456", timeout=30)
    code = esign.otp(s, "+447700900456")
    assert code in sms["text"] and "Thames Tools Ltd" in sms["text"]

    # a participant's number stored before the rule, as typed: read in France, where it is no number. The code
    # request is answered (the page says where it went), notify does not text it, and its log says why
    customer = s.post("/api/v1/customers", token=A, json={
        "name": "Leeds Tools Ltd", "address": {"country": "GB"},
        "contacts": [{"first_name": "Amelia", "last_name": "Wright", "email": "amelia@leeds.test",
                      "mobile": "+44 7700 900123"}]}).get_json()
    req = _request(s, A, customer, otp_channel="sms")
    engine = create_engine(normalize_url(s.db_url("signing")))
    try:
        with engine.begin() as db:
            db.execute(text("UPDATE participants SET phone = '07700 900123' WHERE id = :id"),
                       {"id": req["participants"][0]["id"]})
    finally:
        engine.dispose()
    tok = esign.token(s, "amelia@leeds.test")
    r = s.post(f"/api/v1/sign/{tok}/otp", json={"channel": "sms"})
    assert r.status_code == 200, r.get_json()

    def logged():
        rows = s.get("/api/v1/notifications?channel=sms", token=A).get_json()["items"]
        return [x for x in rows if x["recipient"] == "07700 900123" and x["status"] == "failed"]

    [failed] = s.wait_for(logged, timeout=30, message="the SMS refused in the delivery log")
    assert failed["error"].startswith("not a phone number an SMS can be sent to: '07700 900123'"), failed
    assert module_mail_sink.store.sms(to="07700 900123") == module_mail_sink.store.sms(to="+337700900123") == []


def test_the_code_email_is_in_the_language_the_signer_switched_the_page_to(notified_system, module_mail_sink):
    admin = notified_system.new_license("Vendeur SA", "admin@vendeur-otp.test")
    s = notified_system.for_license(admin["license_id"])
    A = admin["access_token"]
    customer = s.post("/api/v1/customers", token=A, json={"name": "Client SARL", "contacts": [
        {"first_name": "Jeanne", "last_name": "Dupont", "email": "jeanne@otp-language.test"}]}).get_json()
    req = _request(s, A, customer)
    tok = esign.token(s, "jeanne@otp-language.test")
    # the page in English (its language switch): its code request says so
    page = s.get(f"/sign/{tok}?lang=en").get_data(as_text=True)
    assert '<html lang="en">' in page and "locale: document.documentElement.lang" in page

    assert s.post(f"/api/v1/sign/{tok}/otp", json={"channel": "email", "locale": "en"}).status_code == 200
    [english] = module_mail_sink.wait_for_messages(to="jeanne@otp-language.test", subject="Your signing code",
                                                   timeout=30)
    assert english["subject"] == f"Your signing code for {req['contract_number']}", english["subject"]
    assert "Here is your confirmation code" in english["text"]
    # without a language: the request's (French, the quote's)
    assert s.post(f"/api/v1/sign/{tok}/otp", json={"channel": "email"}).status_code == 200
    [french] = module_mail_sink.wait_for_messages(to="jeanne@otp-language.test", subject="Votre code de signature",
                                                  timeout=30)
    assert "Voici votre code de confirmation" in french["text"]
    # a language the page does not speak: refused on its field
    r = s.post(f"/api/v1/sign/{tok}/otp", json={"channel": "email", "locale": "de"})
    assert r.status_code == 422 and r.mimetype == "application/problem+json", r.get_json()
    assert list(r.get_json()["errors"]) == ["locale"], r.get_json()
