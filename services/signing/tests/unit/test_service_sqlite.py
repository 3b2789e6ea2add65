"""The service's entrypoints with nameko's worker_factory on an embedded SQLite database (the default of
``./paraph up``: no row locks there, conditional updates keep it correct); contracts and identity RPCs
are stubbed, the outbox is recorded."""
import base64
from unittest.mock import MagicMock

import pytest
from nameko.testing.services import worker_factory

from paraph_platform.db import Db, make_engine
from paraph_platform.errors import Conflict, Gone, InvalidInput, NotFound, TooManyRequests
from paraph_platform.migrations import upgrade
from paraph_platform.phones import phone_error
from signing_service import crypto, logic, pdf_verification
from signing_service.dependencies import Keys, SigningSettings
from signing_service.models import IdempotencyKey
from signing_service.service import SigningService

ACTOR = {"user_id": "u-sales", "license_id": "lic-1", "role": "user", "email": "sales@v.test", "name": "Sam"}


class RecordingOutbox:
    def __init__(self):
        self.events = []

    def add(self, session, type, data, *, subject=None, license_id=None, id=None):
        self.events.append((type, data))

    def of(self, type_):
        return [d for t, d in self.events if t == type_]


@pytest.fixture(scope="module")
def pdf():
    from weasyprint import HTML
    return HTML(string="<h1>Q-2030-00001</h1><p>Maintenance</p>").write_pdf()


@pytest.fixture
def svc(tmp_path, pdf):
    url = f"sqlite:///{tmp_path / 'signing.db'}"
    upgrade("signing", url)
    db = Db(make_engine(url, shared=False), IdempotencyKey)
    settings = SigningSettings(public_url="http://paraph.test", otp_ttl=600, otp_max_attempts=5,
                               otp_send_limit=5, otp_send_window=900, request_ttl_days=30, reminder_after=3600,
                               reminder_max=3, reminder_min_interval=300, seal_retry_after=300,
                               max_document_bytes=10_000_000)
    contracts = MagicMock()
    contracts.get_contract.return_value = {
        "id": "c-1", "kind": "quote", "number": "Q-2030-00001", "title": "Maintenance", "status": "draft",
        "customer_id": "cu-1", "owner_id": "u-sales", "owner_name": "Sam", "owner_email": "sales@v.test",
        "locale": "en"}
    contracts.get_pdf.return_value = {"filename": "Q-2030-00001.pdf", "content_base64": base64.b64encode(pdf).decode(),
                                      "sha256": logic.sha256_hex(pdf)}
    contracts.get_contacts_internal.return_value = {
        "ct-1": {"id": "ct-1", "customer_id": "cu-1", "name": "Jeanne Dupont", "email": "jeanne@client.test",
                 "phone": None, "mobile": "+33 6 12 34 56 78", "sms_phone": "+33612345678"}}
    identity = MagicMock()
    identity.resolve_users.return_value = {
        "u-boss": {"user_id": "u-boss", "email": "boss@v.test", "name": "Bea", "status": "active", "phone": None}}
    identity.license_settings.return_value = {"name": "Vendeur SA"}
    keys = Keys({})
    keys.link_keys(db)  # as KeyStore.start does: the generated link secret, before any worker runs
    service = worker_factory(SigningService, db=db, settings=settings, keys=keys, outbox=RecordingOutbox(),
                             contracts=contracts, identity=identity, ctx={})
    yield service
    db.engine.dispose()


def token_of(svc, email):
    return [n for n in svc.outbox.of("notification.requested.v1")
            if n["template"] == "signature_request" and n["to"] == email][-1]["vars"]["link"].rsplit("/", 1)[1]


def code_of(svc, to):
    return [n for n in svc.outbox.of("notification.requested.v1") if n["template"] == "signature_otp"
            and n["to"] == to][-1]["vars"]["code"]


def test_approval_signature_and_sealing_on_sqlite(svc, pdf):
    req = svc.create_request(ACTOR, {"contract_id": "c-1", "approvers": [{"user_id": "u-boss"}],
                                     "signers": [{"contact_id": "ct-1", "otp_channel": "sms"}]})
    assert req["stage"] == "approval" and [p["status"] for p in req["participants"]] == ["pending", "waiting"]
    assert req["document"]["sha256"] == logic.sha256_hex(pdf) and req["locale"] == "en"
    boss = token_of(svc, "boss@v.test")
    info = svc.public_info(boss)
    assert info["action"] == "approve"
    assert info["request"]["signers"] == 1  # the approver is not one: the page says "signed", not "everybody"
    svc.public_approve(boss, {"consent": True}, {"ip": "10.0.0.1", "user_agent": "UA"})
    jeanne = token_of(svc, "jeanne@client.test")
    with pytest.raises(InvalidInput):
        svc.public_sign(jeanne, {"consent": True, "otp": "123456"}, {})  # no code requested yet
    sent = svc.public_request_otp(jeanne, {}, {})
    assert sent["channel"] == "sms" and sent["destination"] == "+33*******78"
    code = code_of(svc, "+33612345678")  # E.164, as contracts wrote it
    result = svc.public_sign(jeanne, {"consent": True, "otp": code, "typed_name": "Jeanne"}, {"ip": "10.0.0.2"})
    assert result["request_status"] == "sealing"
    with pytest.raises(Conflict):
        svc.public_sign(jeanne, {"consent": True, "otp": code}, {})
    assert svc.outbox.of("signature.collected.v1")
    assert svc._complete(req["id"]) is True and svc._complete(req["id"]) is False  # idempotent
    system = {"user_id": "system", "license_id": "lic-1", "role": "system"}
    detail = svc.get_request(system, req["id"])
    assert detail["status"] == "completed" and detail["chain"]["valid"]
    [completed] = svc.outbox.of("signature.completed.v1")
    assert completed["signers"][0]["email"] == "jeanne@client.test"
    signed = base64.b64decode(svc.get_signed_pdf("lic-1", req["id"])["content_base64"])
    km = svc.keys.material(svc.db)
    sig = pdf_verification.verify_pdf(signed, km.trust_roots, km.fingerprints())["signatures"][0]
    assert sig["intact"] and sig["covers_whole_file"] and sig["timestamp"]["present"]
    # the default level, B-LTA: the development CRL (served publicly, named by the certificates) in the DSS
    assert sig["pades_level"] == "B-LTA" and detail["seal"]["level"] == "PAdES-B-LTA"
    crl = svc.public_ca_file("ca.crl")
    assert crl["content_type"] == "application/pkix-crl" and svc.public_ca_file("ca.pem")["content_base64"]
    [crl_url] = [dp.url for dp in km.signing_cert.crl_distribution_points]
    assert crl_url.endswith("/api/v1/signing/ca.crl")  # PUBLIC_URL + the gateway's route
    with pytest.raises(NotFound):
        svc.public_ca_file("signer.key.pem")
    verdict = svc.verify_document(ACTOR, {"content_base64": base64.b64encode(signed).decode()})
    assert verdict["valid"] and verdict["request"]["signers"][0]["name"] == "Jeanne Dupont"
    assert verdict["pades_level"] == "B-LTA" and verdict["document_timestamp"]["valid"]
    assert svc.get_proof("lic-1", req["id"])["content_type"] == "application/pdf"
    with pytest.raises(NotFound):
        svc.get_signed_pdf("lic-2", req["id"])


def test_a_customer_contacts_download_of_the_signed_document_is_told_once_not_its_display(svc):
    """signature.document_downloaded.v1 (the portal records a quote's download): one per download by a customer
    contact from their link; none for the signing page showing it (inline), for a collaborator's link, nor
    before everybody signed."""
    req = svc.create_request(ACTOR, {"contract_id": "c-1", "approvers": [{"user_id": "u-boss"}],
                                     "signers": [{"contact_id": "ct-1"}]})
    boss = token_of(svc, "boss@v.test")
    svc.public_approve(boss, {"consent": True}, {})
    jeanne = token_of(svc, "jeanne@client.test")
    with pytest.raises(Conflict):
        svc.public_signed_pdf(jeanne, {"download": True, "ip": "203.0.113.7", "user_agent": "Firefox"})
    svc.public_request_otp(jeanne, {}, {})
    svc.public_sign(jeanne, {"consent": True, "otp": code_of(svc, "jeanne@client.test")}, {})
    assert svc._complete(req["id"]) is True
    assert svc.public_signed_pdf(jeanne, {"ip": "203.0.113.7", "user_agent": "Firefox"})["content_base64"]  # shown
    svc.public_signed_pdf(boss, {"download": True, "ip": "198.51.100.1", "user_agent": "Edge"})
    assert svc.outbox.of("signature.document_downloaded.v1") == []
    saved = svc.public_signed_pdf(jeanne, {"download": True, "ip": "203.0.113.7", "user_agent": "Firefox"})
    assert saved["filename"].endswith("-signed.pdf")
    [told] = svc.outbox.of("signature.document_downloaded.v1")
    jeanne_id = next(p["id"] for p in svc.get_request(ACTOR, req["id"])["participants"] if p["contact_id"])
    assert told == {"request_id": req["id"], "contract_id": "c-1", "kind": "quote", "participant_id": jeanne_id,
                    "contact_id": "ct-1", "name": "Jeanne Dupont", "email": "jeanne@client.test",
                    "ip": "203.0.113.7", "user_agent": "Firefox", "at": told["at"]}
    svc.public_signed_pdf(jeanne, {"download": True})  # saved again: another download
    assert len(svc.outbox.of("signature.document_downloaded.v1")) == 2
    svc.public_proof_pdf(jeanne)
    assert len(svc.outbox.of("signature.document_downloaded.v1")) == 2


def test_one_time_codes_by_sms_go_only_to_a_number_notify_can_send_to(svc):
    """A contact's number comes from contracts written in E.164 (``sms_phone``: their mobile, else their landline,
    read in their customer's country); a contact with none, or a number typed for someone else that cannot be read
    in the company's country, is refused here, before anyone waits for a code that never comes. A number typed
    without its country code is read in the company's country (contracts' phone_country_internal) and stored in
    E.164, the number the code goes to."""
    svc.contracts.get_contacts_internal.return_value = {
        "ct-1": {"id": "ct-1", "customer_id": "cu-1", "name": "Jeanne Dupont", "email": "jeanne@client.test",
                 "mobile": "06 12", "phone": "01 23 45 67 89", "sms_phone": "+33123456789"},
        "ct-2": {"id": "ct-2", "customer_id": "cu-1", "name": "Paul Durand", "email": "paul@client.test",
                 "mobile": "appelez le standard", "phone": None, "sms_phone": None}}
    svc.contracts.phone_country_internal.return_value = {"country": "GB"}
    with pytest.raises(InvalidInput) as refused:
        svc.create_request(ACTOR, {"contract_id": "c-1", "signers": [{"contact_id": "ct-2", "otp_channel": "sms"}]})
    assert "Paul Durand" in str(refused.value)
    with pytest.raises(InvalidInput) as refused:
        svc.create_request(ACTOR, {"contract_id": "c-1", "signers": [
            {"name": "Léa", "email": "lea@client.test", "phone": "07700 9", "otp_channel": "sms"}]})
    assert refused.value.details["fields"]["signers"][0]["phone"] == [phone_error("GB")]
    req = svc.create_request(ACTOR, {"contract_id": "c-1", "signers": [{"contact_id": "ct-1", "otp_channel": "sms"}]})
    assert svc.public_request_otp(token_of(svc, "jeanne@client.test"), {}, {})["destination"] == "+33*******89"
    assert code_of(svc, "+33123456789") and req["participants"][0]["phone_masked"] == "+33*******89"
    svc.cancel_request(ACTOR, req["id"], {"reason": "another one"})
    req = svc.create_request(ACTOR, {"contract_id": "c-1", "signers": [
        {"name": "Emma Clarke", "email": "emma@thames.test", "phone": "07700 900456", "otp_channel": "sms"}]})
    assert svc.public_request_otp(token_of(svc, "emma@thames.test"), {}, {})["destination"] == "+44********56"
    assert code_of(svc, "+447700900456")
    svc.contracts.phone_country_internal.assert_called_with("lic-1", None)


def test_a_seal_at_b_b_completes_and_verifies(svc):
    """SIGNATURE_PADES_LEVEL=B-B: no timestamp is expected, neither at sealing nor at verification."""
    svc.keys.material(svc.db).pades_level = "B-B"
    req = svc.create_request(ACTOR, {"contract_id": "c-1", "signers": [{"contact_id": "ct-1"}]})
    jeanne = token_of(svc, "jeanne@client.test")
    svc.public_request_otp(jeanne, {}, {})
    svc.public_sign(jeanne, {"consent": True, "otp": code_of(svc, "jeanne@client.test")}, {})
    assert svc._complete(req["id"]) is True
    detail = svc.get_request({"user_id": "system", "license_id": "lic-1", "role": "system"}, req["id"])
    assert detail["seal"]["level"] == "PAdES-B-B" and detail["seal"]["timestamp"] is None
    signed = svc.get_signed_pdf("lic-1", req["id"])["content_base64"]
    verdict = svc.verify_document(ACTOR, {"content_base64": signed})
    assert verdict["valid"] and verdict["pades_level"] == "B-B" and verdict["problems"] == []


def test_stored_development_material_without_the_ca_key_keeps_sealing(tmp_path, pdf):
    """Development material stored before B-LT has no CA key: no CRL to serve or embed, seals are B-T."""
    from signing_service.models import DevCredential
    url = f"sqlite:///{tmp_path / 'signing.db'}"
    upgrade("signing", url)
    db = Db(make_engine(url, shared=False), IdempotencyKey)
    stored = {name: value for name, value in crypto.generate_dev_credentials().items() if name != crypto.DEV_CA_KEY}
    with db.session() as s:
        s.add_all(DevCredential(name=name, value=value) for name, value in stored.items())
    keys = Keys({"SIGNATURE_PADES_LEVEL": "B-LTA"})
    km = keys.material(db)
    assert km.pades_level == "B-LTA" and km.signing_cert.dump() == crypto._certs_from_pem(stored["signer.pem"])[0].dump()
    assert keys.dev_crl(db) is None and keys.dev_ca_pem(db) == stored["ca.pem"]
    sig = pdf_verification.verify_pdf(crypto.seal_pdf(pdf, km), km.trust_roots, keys.fingerprints(db))["signatures"][0]
    assert sig["pades_level"] == "B-T" and sig["trusted"] and sig["paraph_key"]


def test_sqlite_triggers_keep_the_trail_append_only(svc):
    req = svc.create_request(ACTOR, {"contract_id": "c-1", "signers": [{"contact_id": "ct-1"}]})
    from sqlalchemy import text
    from sqlalchemy.exc import IntegrityError
    with pytest.raises(IntegrityError, match="append-only"):
        with svc.db.engine.begin() as conn:
            conn.execute(text("delete from audit_entries where request_id = :r"), {"r": req["id"]})


def test_lock_expiry_and_cancel_on_sqlite(svc):
    req = svc.create_request(ACTOR, {"contract_id": "c-1", "signers": [{"contact_id": "ct-1"}]})
    with pytest.raises(Conflict):
        svc.create_request(ACTOR, {"contract_id": "c-1", "signers": [{"contact_id": "ct-1"}]})
    tok = token_of(svc, "jeanne@client.test")
    svc.public_request_otp(tok, {"channel": "email"}, {})
    code = code_of(svc, "jeanne@client.test")
    wrong = f"{(int(code) + 7) % 1000000:06d}"
    for _ in range(4):
        with pytest.raises(InvalidInput):
            svc.public_sign(tok, {"consent": True, "otp": wrong}, {})
    with pytest.raises(TooManyRequests):
        svc.public_sign(tok, {"consent": True, "otp": wrong}, {})
    with pytest.raises(TooManyRequests):
        svc.public_sign(tok, {"consent": True, "otp": code}, {})
    svc.cancel_request(ACTOR, req["id"], {"reason": "oops"})
    with pytest.raises(Gone):
        svc.public_request_otp(tok, {}, {})
    with pytest.raises(NotFound):
        svc.public_info("A" * 43)


def test_the_emails_of_an_uploaded_document_name_it_by_its_title_not_its_files_name(svc, pdf):
    """Its number is the file's name ("scan_0012"): the emails named it as a reference before the title
    ("Document à signer : scan_0012 – Contrat de prestation", "Votre code de signature pour scan_0012")."""
    req = svc.create_document_request(ACTOR, {
        "title": "Contrat de prestation", "signers": [{"name": "Claire", "email": "claire@client.test"}],
        "document": {"filename": "scan_0012.pdf", "content_base64": base64.b64encode(pdf).decode()}})
    assert req["contract_number"] == "scan_0012"  # the request keeps the file's name (lists, file names)
    svc.public_request_otp(token_of(svc, "claire@client.test"), {}, {})
    emails = [n for n in svc.outbox.of("notification.requested.v1") if n["to"] == "claire@client.test"]
    assert [n["template"] for n in emails] == ["signature_request", "signature_otp"]
    assert all(n["vars"]["number"] == "Contrat de prestation" and n["vars"]["title"] is None for n in emails)
    # a quote's emails keep its number and its title
    svc.create_request(ACTOR, {"contract_id": "c-1", "signers": [{"contact_id": "ct-1"}]})
    [quote] = [n for n in svc.outbox.of("notification.requested.v1") if n["to"] == "jeanne@client.test"]
    assert (quote["vars"]["number"], quote["vars"]["title"]) == ("Q-2030-00001", "Maintenance")


def three_signers_on_an_uploaded_pdf(svc, pdf, title: str) -> dict:
    """A French request on an uploaded PDF (contrat.pdf) named ``title``, signed by Claire, Marc and Léa."""
    return svc.create_document_request(ACTOR, {
        "title": title, "locale": "fr",
        "signers": [{"name": "Claire", "email": "claire@client.test"}, {"name": "Marc", "email": "marc@client.test"},
                    {"name": "Léa", "email": "lea@client.test"}],
        "document": {"filename": "contrat.pdf", "content_base64": base64.b64encode(pdf).decode()}})


def sign_by_link(svc, who: str, payload: dict) -> dict:
    """``who``@client.test asks for a one-time code from her link and signs with it (the consent ticked), sending
    ``payload`` besides."""
    token, email = token_of(svc, f"{who}@client.test"), f"{who}@client.test"
    svc.public_request_otp(token, {}, {})
    return svc.public_sign(token, {"consent": True, "otp": code_of(svc, email), **payload}, {})


def test_an_uploaded_document_is_consented_to_by_its_title_and_earlier_words_stay_as_read(svc, pdf):
    """The consent named an uploaded PDF as a contract, by its file's name then its title ("le document contrat
    « Contrat de prestation »"): new signatures read "le document « Contrat de prestation »". A page opened before
    (its consent_sha256 the earlier words') still signs, its evidence recording the words its signer read; the
    proof names the document by its title, as the consent does. Whoever acted is told how many signers are
    left (never who)."""
    from signing_service import proof
    req = three_signers_on_an_uploaded_pdf(svc, pdf, "Contrat de prestation")
    sha = logic.sha256_hex(pdf)
    info = svc.public_info(token_of(svc, "claire@client.test"))
    assert info["consent_text"].startswith("J'ai pris connaissance du document «\u00a0Contrat de prestation\u00a0» et "
                                           "j'accepte de le signer électroniquement.")
    assert "contrat «" not in info["consent_text"] and info["request"]["signers_left"] == 3
    # a quote keeps its number and its title
    assert logic.consent_text("fr", logic.SIGNER, "Q-1", "Maintenance", sha, "quote").startswith(
        "J'ai pris connaissance du document Q-1 «\u00a0Maintenance\u00a0» et")
    assert logic.consent_text("en", logic.APPROVER, "contrat", "Contract", sha, logic.UPLOADED_KIND).startswith(
        "I have read the document \"Contract\" and I approve")

    def sign(who, consent_sha256):  # one after the other
        return sign_by_link(svc, who, {"consent_sha256": consent_sha256})

    assert sign("claire", info["consent_sha256"])["signers_left"] == 2
    earlier = "J'ai pris connaissance du document contrat «\u00a0Contrat de prestation\u00a0» et j'accepte"
    [before] = [t for t in logic.consent_texts("fr", logic.SIGNER, "contrat", "Contrat de prestation", sha,
                                               logic.UPLOADED_KIND) if t.startswith(earlier)]
    assert sign("marc", logic.sha256_hex(before))["signers_left"] == 1
    with pytest.raises(Conflict) as refused:  # words nobody was shown
        sign("lea", "0" * 64)
    assert refused.value.details["consent_sha256"] == info["consent_sha256"]
    assert sign("lea", None)["signers_left"] == 0
    detail = svc.get_request(ACTOR, req["id"])
    consents = {e["identity"]["email"]: e["consent_text"] for e in detail["evidence"]}
    assert consents["claire@client.test"] == consents["lea@client.test"] == info["consent_text"]
    assert consents["marc@client.test"] == before
    with svc.db.session() as s:
        from signing_service.models import SignatureRequest
        context = svc._proof_context(s, s.get(SignatureRequest, req["id"]))
    assert context["contract"] == {"number": None, "title": "Contrat de prestation"}
    html = proof.build_html(context)
    assert "Numéro" not in html and "contrat.pdf" in html and html.count("Contrat de prestation") >= 4


def test_a_page_switched_to_the_other_language_records_the_consent_in_the_words_shown(svc, pdf):
    """A French company's request, its signers reading English: the page asks for its consent text in English and
    the signature records those words, matched in the language the page sends back with their SHA-256 (English
    words sent as the French page's, or French ones as the English page's, were never shown: 409 with the words
    to show). An English page opened before the wording changed still signs with the words it showed. A language
    the service does not speak is a 422, on the page as on the act; none is the request's."""
    from html import unescape

    from signing_service import proof
    req = three_signers_on_an_uploaded_pdf(svc, pdf, "Service agreement")
    sha = logic.sha256_hex(pdf)
    claire = token_of(svc, "claire@client.test")
    french, english = svc.public_info(claire), svc.public_info(claire, {"locale": "en"})
    assert (french["locale"], english["locale"], english["request"]["locale"]) == ("fr", "en", "fr")
    assert french["consent_text"].startswith("J'ai pris connaissance du document «\u00a0Service agreement\u00a0»")
    assert english["consent_text"] == logic.consent_text("en", logic.SIGNER, "contrat", "Service agreement", sha,
                                                         logic.UPLOADED_KIND)
    assert english["consent_text"].startswith("I have read the document \"Service agreement\" and I agree to sign")
    assert english["consent_sha256"] == logic.sha256_hex(english["consent_text"]) != french["consent_sha256"]
    assert svc.public_info(claire, {"locale": None}) == french
    with pytest.raises(InvalidInput) as refused:
        svc.public_info(claire, {"locale": "de"})
    assert "locale" in refused.value.details["fields"]

    def sign(who, consent_sha256, locale):
        return sign_by_link(svc, who, {"consent_sha256": consent_sha256, "locale": locale})

    with pytest.raises(InvalidInput) as refused:
        sign("claire", english["consent_sha256"], "de")
    assert "locale" in refused.value.details["fields"]
    assert sign("claire", english["consent_sha256"], "en")["signers_left"] == 2
    with pytest.raises(Conflict) as refused:  # English words, said to be the French page's
        sign("marc", english["consent_sha256"], None)
    assert refused.value.details["consent_sha256"] == french["consent_sha256"]
    with pytest.raises(Conflict) as refused:  # French words, said to be the English page's
        sign("marc", french["consent_sha256"], "en")
    assert refused.value.details["consent_sha256"] == english["consent_sha256"]
    [before] = logic.consent_texts("en", logic.SIGNER, "contrat", "Service agreement", sha, logic.UPLOADED_KIND)[1:]
    assert before.startswith("I have read the document contrat \"Service agreement\"")
    assert sign("marc", logic.sha256_hex(before), "en")["signers_left"] == 1
    assert sign("lea", None, "en")["signers_left"] == 0  # no words sent: the current ones, in the page's language
    detail = svc.get_request(ACTOR, req["id"])
    consents = {e["identity"]["email"]: e["consent_text"] for e in detail["evidence"]}
    assert consents == {"claire@client.test": english["consent_text"], "marc@client.test": before,
                        "lea@client.test": english["consent_text"]}
    # the proof (in the request's language) quotes each signer's words as they read them
    with svc.db.session() as s:
        from signing_service.models import SignatureRequest
        html = unescape(proof.build_html(svc._proof_context(s, s.get(SignatureRequest, req["id"]))))
    assert english["consent_text"] in html and before in html and "Preuve de signature" in html


def test_a_reminder_refused_as_too_soon_says_when_the_next_one_is_possible(svc):
    """"Nobody was reminded: a reminder was sent a short while ago" left the sender guessing how long to wait."""
    from datetime import datetime, timedelta
    req = svc.create_request(ACTOR, {"contract_id": "c-1", "signers": [{"contact_id": "ct-1"}]})
    first = svc.remind(ACTOR, req["id"], {})
    assert first["reminded"] == 1 and first["next_reminder_at"] is None
    again = svc.remind(ACTOR, req["id"], {"participant_id": first["participant_ids"][0]})
    assert again["reminded"] == 0
    [reminded] = [e for e in svc.get_request(ACTOR, req["id"])["audit_trail"] if e["type"] == "reminder_sent"]
    wait = datetime.fromisoformat(again["next_reminder_at"]) - datetime.fromisoformat(reminded["at"])
    assert wait == timedelta(seconds=300)  # SIGNATURE_REMINDER_MIN_INTERVAL


def test_the_latest_requests_of_several_contracts_in_one_call(svc):
    """The portal's list of a client's documents asks about every one awaiting an answer at once: the latest
    request of each contract that has one, keyed by contract id, as request_for_contract answers one (dumped
    through the declared result); never another license's. More contracts than the bound, none, or a payload that
    is not a list of ids: a 422 saying what is wrong."""
    from paraph_platform.contract import result_violations
    from signing_service.schemas import MAX_CONTRACTS_PER_LOOKUP
    first = svc.create_request(ACTOR, {"contract_id": "c-1", "signers": [{"contact_id": "ct-1"}]})
    svc.cancel_request(ACTOR, first["id"], {"reason": "wrong price"})
    latest = svc.create_request(ACTOR, {"contract_id": "c-1", "signers": [{"contact_id": "ct-1"}]})
    svc.contracts.get_contract.return_value = {**svc.contracts.get_contract.return_value, "id": "c-2",
                                               "number": "C-2030-00002"}
    other = svc.create_request(ACTOR, {"contract_id": "c-2", "signers": [{"name": "Bob", "email": "bob@client.test"}]})

    found = svc.requests_for_contracts("lic-1", {"contract_ids": ["c-1", "c-2", "c-without-request", "c-1"]})
    assert sorted(found) == ["c-1", "c-2"]
    assert (found["c-1"]["id"], found["c-1"]["status"]) == (latest["id"], "pending")
    assert found["c-2"]["id"] == other["id"] and found["c-2"]["participants"][0]["email"] == "bob@client.test"
    assert found["c-1"]["participants"][0]["sign_path"].startswith("/sign/")
    assert found["c-1"] == svc.request_for_contract("lic-1", "c-1")
    assert result_violations("signing_service.service", "requests_for_contracts", found) == []
    assert svc.requests_for_contracts("lic-other", {"contract_ids": ["c-1", "c-2"]}) == {}
    assert svc.request_for_contract("lic-1", "c-without-request") is None

    too_many = [f"c-{n}" for n in range(MAX_CONTRACTS_PER_LOOKUP + 1)]
    with pytest.raises(InvalidInput) as refused:
        svc.requests_for_contracts("lic-1", {"contract_ids": too_many})
    assert refused.value.status == 422
    assert refused.value.details["fields"] == {
        "contract_ids": [f"from 1 to {MAX_CONTRACTS_PER_LOOKUP} contract ids in one call"]}
    assert sorted(svc.requests_for_contracts("lic-1", {"contract_ids": too_many[:-1]})) == ["c-1", "c-2"]
    for payload in (None, {"contract_ids": []}, {"contract_ids": "c-1"}, {"contract_ids": [""]},
                    {"contract_ids": ["c-1"], "license_id": "lic-other"}):
        with pytest.raises(InvalidInput):
            svc.requests_for_contracts("lic-1", payload)


@pytest.mark.parametrize("settings, country", [({"country": "US"}, "US"), ({"country": "GB"}, "GB"), ({}, None)])
def test_the_signing_page_is_told_the_senders_country(svc, settings, country):
    """The license's country (identity's settings, kept on the request when it is made, as the license's name) in
    what the signing page shows: the order its English dates read in (month first in the United States); none when
    the license had not said it or identity could not say. The page never waits for identity."""
    svc.identity.license_settings.return_value = {"name": "Vendeur SA", "settings": settings}
    first = svc.create_request(ACTOR, {"contract_id": "c-1", "signers": [{"contact_id": "ct-1"}]})
    svc.identity.license_settings.assert_called_with(ACTOR["license_id"])
    jeanne = token_of(svc, "jeanne@client.test")
    svc.identity.license_settings.side_effect = RuntimeError("identity is not running")
    assert svc.public_info(jeanne)["request"]["country"] == country
    # a request made while identity could not say: day first
    svc.cancel_request(ACTOR, first["id"], {"reason": "another one"})
    svc.create_request(ACTOR, {"contract_id": "c-1", "signers": [{"contact_id": "ct-1"}]})
    later = token_of(svc, "jeanne@client.test")
    assert later != jeanne and svc.public_info(later)["request"]["country"] is None
