"""The proof of signature reads in the request's language: labels, statuses, audit events and dates in the
signer's time zone (or the default one), and no row of its tables is cut by a page break."""
import base64
import hashlib
import io
import re
from datetime import datetime, timedelta, timezone

import pytest
from pypdf import PdfReader

from signing_service import logic, proof
from signing_service.testing import signature_png
from tests.typography import breakable_spaces, breakable_spaces_in

SIGNED_AT = datetime(2026, 12, 1, 20, 24, 38, tzinfo=timezone.utc)
EVENTS = ["request_created", "signature_requested", "document_viewed", "otp_sent", "signed", "all_signed",
          "document_sealed", "completed"]


def iso(dt):
    return dt.isoformat().replace("+00:00", "Z")


def fake_hash(n):
    return hashlib.sha256(str(n).encode()).hexdigest()


def context(locale, *, signer_zone=None, audit_rows=len(EVENTS)):
    image = base64.b64decode(signature_png().split(",", 1)[1])
    jeanne = {"type": "participant", "id": "p1", "role": "signer", "name": "Jeanne Dupont",
              "email": "jeanne@client.test"}
    audit = []
    for seq in range(1, audit_rows + 1):
        kind = EVENTS[seq - 1] if seq <= len(EVENTS) else "reminder_sent"
        audit.append({"seq": seq, "at": iso(SIGNED_AT - timedelta(minutes=audit_rows - seq)), "type": kind,
                      "actor": jeanne if kind in ("document_viewed", "otp_sent", "signed") else {"type": "system"},
                      "data": {"channel": "sms", "destination": "+33 6** ** ** 78"} if kind == "otp_sent" else
                      {"signers": ["p1"]} if kind == "all_signed" else {},
                      "prev_hash": fake_hash(seq - 1), "entry_hash": fake_hash(seq)})
    return {
        "locale": locale, "time_zone": logic.DEFAULT_TIME_ZONE,
        "document": {"filename": "Q-2026-00001.pdf", "sha256": "a" * 64},
        "contract": {"number": "Q-2026-00001", "title": "Maintenance 2027"},
        "sealed": {"sha256": "b" * 64, "signer": "Paraph dev seal", "timestamp": iso(SIGNED_AT), "tsa": "dev TSA"},
        "request": {"id": "req-1", "status": "completed", "owner_name": "Sam Sales", "owner_email": "sam@v.test",
                    "created_at": iso(SIGNED_AT - timedelta(hours=2)), "completed_at": iso(SIGNED_AT)},
        "evidence": [{"participant_id": "p1", "role": "signer", "order": 1, "action": "sign", "mode": "link",
                      "time_zone": signer_zone, "document_sha256": "a" * 64,
                      "identity": {"name": "Jeanne Dupont", "email": "jeanne@client.test", "kind": "contact"},
                      "authentication": {"method": "otp", "channel": "sms", "destination": "+33 6** ** ** 78",
                                         "verified_at": iso(SIGNED_AT)},
                      "consent_text": "J'accepte.", "consent_sha256": "c" * 64, "at": iso(SIGNED_AT),
                      "client_signed_at": None, "clock_skew": None, "ip": "203.0.113.9", "user_agent": "Test",
                      "typed_name": "Jeanne Dupont", "signature_image": image,
                      "signature_image_sha256": "d" * 64, "audit_seq": 5, "audit_hash": fake_hash(5)}],
        "audit": audit, "chain": {"valid": True, "entries": audit_rows, "head": fake_hash(audit_rows)},
        "generated_at": iso(SIGNED_AT),
    }


def pages(pdf: bytes) -> list[str]:
    return [p.extract_text() for p in PdfReader(io.BytesIO(pdf)).pages]


def one_line(text: str) -> str:
    return re.sub(r"\s+", " ", text.replace("\u202f", " ").replace("\xa0", " "))


def test_times_are_written_in_the_zone_with_its_offset():
    assert logic.format_time("2026-12-01T20:24:38Z", "fr") == "1er décembre 2026 à 21:24:38 (UTC+1)"
    assert logic.format_time("2026-12-01T20:24:38Z", "en") == "1 December 2026 at 21:24:38 (UTC+1)"
    assert logic.format_time("2026-07-14T08:05:00Z", "fr", "Europe/Paris") == "14 juillet 2026 à 10:05:00 (UTC+2)"
    assert logic.format_time("2026-12-01T20:24:38Z", "en", "America/New_York") == \
        "1 December 2026 at 15:24:38 (UTC-5)"
    assert logic.format_time("2026-12-01T00:10:00Z", "en", "Asia/Kolkata") == "1 December 2026 at 05:40:00 (UTC+5:30)"
    assert logic.format_time("2026-12-01T12:00:00Z", "en", "UTC") == "1 December 2026 at 12:00:00 (UTC+0)"
    # a zone the database does not know: the default one
    assert logic.format_time("2026-12-01T20:24:38Z", "fr", "Mars/Olympus") == "1er décembre 2026 à 21:24:38 (UTC+1)"
    assert logic.format_time(None, "fr") == ""


@pytest.mark.parametrize("locale,expected,absent", [
    ("fr", ["Preuve de signature électronique", "Statut Terminée", "Demande créée", "Signature demandée",
            "Document consulté", "Code à usage unique envoyé", "Canal : SMS",
            "Jeanne Dupont a signé : le document est complet", "Document scellé", "Demande terminée",
            "1er décembre 2026 à 21:24:38 (UTC+1)", "contact client", "Date et heure", "système", "« J'accepte. »",
            "code à usage unique envoyé par SMS (+33 6** ** ** 78), vérifié le 1er décembre 2026 à 21:24:38 (UTC+1)",
            "Entrée du journal d'audit n° 5", "Chaîne vérifiée : intègre (8 entrées)"],
     ["request_created", "completed", "UTC)", "system", "otp_sent", "channel", "Tous les signataires", "#5"]),
    ("en", ["Proof of electronic signature", "Status Completed", "Request created", "Signature requested",
            "Document viewed", "One-time code sent", "Channel: SMS", "Jeanne Dupont signed: the document is complete",
            "Document sealed", "Request completed", "1 December 2026 at 21:24:38 (UTC+1)", "customer contact",
            "Date and time", "“J'accepte.”",
            "one-time code sent by SMS (+33 6** ** ** 78), verified on 1 December 2026 at 21:24:38 (UTC+1)",
            "Audit trail entry #5", "Chain verified: intact (8 entries)"],
     ["request_created", "otp_sent", "channel=", "Z", "«", "Every signer"]),
])
def test_the_proof_is_written_in_the_request_language(locale, expected, absent):
    text = one_line(" ".join(pages(proof.render_proof(context(locale)))))
    for words in expected:
        assert words in text, words
    for words in absent:
        assert not re.search(rf"\b{re.escape(words)}\b" if words.isalnum() or "_" in words else re.escape(words),
                             text), words


def test_the_signer_time_zone_is_used_for_their_evidence_and_acts():
    text = one_line(" ".join(pages(proof.render_proof(context("en", signer_zone="America/New_York")))))
    # the signer's own acts and evidence in their zone, the request's dates in the default zone
    assert "1 December 2026 at 15:24:38 (UTC-5)" in text
    assert "Completed 1 December 2026 at 21:24:38 (UTC+1)" in text


def test_a_us_companys_english_proof_writes_its_times_month_first():
    """The proof of a company of the United States (the license's country, in the context) reads month first on the
    12-hour clock, as its staff pages (paraph_platform.dates); a British company's, day first."""
    assert logic.format_time("2026-12-01T20:24:38Z", "en", "America/New_York", "US") == \
        "December 1, 2026 at 3:24:38 PM (UTC-5)"
    assert logic.format_time("2026-12-01T20:24:38Z", "en", "Europe/London", "GB") == \
        "1 December 2026 at 20:24:38 (UTC+0)"
    assert logic.format_time("2026-12-01T20:24:38Z", "fr", "America/New_York", "US") == \
        "1er décembre 2026 à 15:24:38 (UTC-5)"
    american = one_line(" ".join(pages(proof.render_proof({**context("en"), "country": "US"}))))
    assert "December 1, 2026 at 9:24:38 PM (UTC+1)" in american and "1 December 2026" not in american
    british = one_line(" ".join(pages(proof.render_proof({**context("en"), "country": "GB"}))))
    assert "1 December 2026 at 21:24:38 (UTC+1)" in british and "December 1, 2026" not in british


def test_a_long_trail_spans_pages_without_cutting_a_row():
    rows = 60
    ctx = context("fr", audit_rows=rows)
    for a in ctx["audit"]:  # rows of several lines: a page break would fall inside some of them
        a["data"] = {"reason": f"debut{a['seq']}x " + "motif de plusieurs lignes " * 9 + f"fin{a['seq']}x"}
    texts = pages(proof.render_proof(ctx))
    assert len(texts) >= 3
    compact = [re.sub(r"\s+", "", t) for t in texts]
    cut = [seq for seq in range(1, rows + 1)
           if not any(f"debut{seq}x" in page and f"fin{seq}x" in page for page in compact)]
    assert cut == [], f"rows cut by a page break: {cut}"
    # the header of the trail is repeated on the pages it continues on
    assert all("Empreinte précédente" in t for t in texts[-2:])


def test_a_reassignment_reads_who_replaced_whom():
    ctx = context("fr")
    ctx["audit"].append({"seq": 9, "at": iso(SIGNED_AT), "type": "participant_reassigned",
                         "actor": {"type": "user", "name": "Sam Sales"},
                         "data": {"from": {"name": "Jeanne Dupont", "email": "jeanne@client.test"},
                                  "to": {"name": "Paul Martin", "email": "paul@client.test"}, "reason": "Congés"},
                         "prev_hash": fake_hash(8), "entry_hash": fake_hash(9)})
    text = one_line(" ".join(pages(proof.render_proof(ctx))))
    assert ("Participant remplacé Remplacé : Jeanne Dupont <jeanne@client.test>, Par : Paul Martin "
            "<paul@client.test>, Motif : Congés") in text


def test_the_french_proof_holds_its_punctuation_with_a_no_break_space():
    """Its wording, and the details of an audit entry ("Canal : SMS"), never break a line before a colon."""
    wording = [proof.LABELS["fr"], proof.STATUSES["fr"], proof.EVENTS["fr"], proof.DETAILS["fr"]]
    assert breakable_spaces_in(wording) == {}
    assert breakable_spaces(proof._details("fr", {"channel": "sms", "reason": "Congés"})) == []


@pytest.mark.parametrize("locale,expected", [
    ("fr", ["en présence, sur l'appareil de Sam Sales (collaborateur), qui a ouvert la page de signature",
            "Mode en présence, sur l'appareil d'un collaborateur", "Lien de signature en présence créé",
            "Signature en présence ouverte sur l'appareil du collaborateur"]),
    ("en", ["in person, on the device of Sam Sales (staff member), who opened the signing page",
            "Mode in person, on a staff member's device", "In-person signing link issued",
            "In-person signing opened on the staff member's device"]),
])
def test_a_signature_in_person_on_a_staff_device_names_that_member_of_staff(locale, expected):
    """Signed on the page of an in-person signing URL: the one-time code was verified, and the proof says it was
    signed in person, on the device of the member of staff who opened the page."""
    ctx = context(locale)
    evidence = ctx["evidence"][0]
    evidence["mode"] = "in_person_device"
    evidence["authentication"].update({"attested_by": "u1", "attested_by_name": "Sam Sales"})
    sam = {"type": "user", "id": "u1", "name": "Sam Sales"}
    for seq, kind in ((9, "in_person_url_issued"), (10, "in_person_opened")):
        ctx["audit"].append({"seq": seq, "at": iso(SIGNED_AT), "type": kind, "actor": sam,
                             "data": {"participant_id": "p1", "name": "Jeanne Dupont"},
                             "prev_hash": fake_hash(seq - 1), "entry_hash": fake_hash(seq)})
    text = one_line(" ".join(pages(proof.render_proof(ctx))))
    for words in expected:
        assert words in text, words


def with_second_signer(ctx: dict) -> dict:
    """Paul Martin signed after Jeanne: his evidence, and the "all signed" entry naming both."""
    paul = {**ctx["evidence"][0], "participant_id": "p2", "order": 2, "typed_name": "Paul Martin",
            "identity": {"name": "Paul Martin", "email": "paul@client.test", "kind": "contact"}}
    ctx["evidence"].append(paul)
    all_signed = next(a for a in ctx["audit"] if a["type"] == "all_signed")
    all_signed["data"] = {"signers": ["p1", "p2"]}
    return ctx


def with_an_approver(ctx: dict) -> dict:
    """Sam Sales approved before Jeanne signed: a participant, not a signer."""
    ctx["evidence"].insert(0, {**ctx["evidence"][0], "participant_id": "a1", "role": "approver", "action": "approve",
                               "identity": {"name": "Sam Sales", "email": "sam@v.test", "kind": "user"}})
    return ctx


@pytest.mark.parametrize("locale,one,several", [
    ("fr", "Jeanne Dupont a signé : le document est complet", "Tous les signataires ont signé"),
    ("en", "Jeanne Dupont signed: the document is complete", "Every signer signed"),
])
@pytest.mark.parametrize("request_of", [
    pytest.param(lambda ctx: ctx, id="one signer"),
    pytest.param(with_an_approver, id="an approver and one signer"),
    pytest.param(with_second_signer, id="two signers"),
])
def test_all_signed_names_the_signer_when_there_was_only_one(locale, one, several, request_of):
    """A single signer is not "every signer": the trail says who signed, and that the document is complete."""
    ctx = request_of(context(locale))
    text = one_line(" ".join(pages(proof.render_proof(ctx))))
    signers = sum(e["role"] == "signer" for e in ctx["evidence"])
    assert (one in text, several in text) == (signers == 1, signers > 1), text


@pytest.mark.parametrize("locale,expected", [
    ("fr", "Le signataire a signé\u00a0: le document est complet"),
    ("en", "The signer signed: the document is complete"),
])
def test_a_single_signer_whose_name_is_unknown_is_the_signer(locale, expected):
    ctx = context(locale)
    next(a for a in ctx["audit"] if a["type"] == "all_signed")["data"] = {"signers": ["p9"]}
    assert expected in proof.build_html(ctx)


@pytest.mark.parametrize("locale,expected", [
    ("fr", ["en présence (signature hors ligne), attestée par Sam Sales",
            "Reçu par le serveur 1er décembre 2026 à 21:24:38 (UTC+1)",
            "Heure de l'appareil 1er décembre 2026 à 21:24:35 (UTC+1) (en retard de 2,5 s sur l'heure du serveur)",
            "Signature demandée Nom : Jeanne Dupont, Email : jeanne@client.test, Canal : email",
            "Signature demandée Nom : Paul Martin, Email : paul@client.test, "
            "Canal : email d'envoi du document (portail client)"]),
    ("en", ["in person (offline signing), attested by Sam Sales",
            "Received by the server 1 December 2026 at 21:24:38 (UTC+1)",
            "Device time 1 December 2026 at 21:24:35 (UTC+1) (2.5 s behind the server's time)",
            "Signature requested Name: Jeanne Dupont, Email: jeanne@client.test, Channel: email",
            "Signature requested Name: Paul Martin, Email: paul@client.test, "
            "Channel: email of the document sent from the customer portal"]),
])
def test_an_offline_signature_and_the_invitations_read_as_sentences(locale, expected):
    """Signed offline, attested by a member of staff, the device's clock 2.5 s behind; asked by Paraph's email,
    and by the email of the document the customer portal sent: each written in words, not codes."""
    ctx = context(locale)
    ctx["evidence"][0].update({"mode": "offline", "client_signed_at": iso(SIGNED_AT - timedelta(seconds=2.5)),
                               "clock_skew": 2.5,
                               "authentication": {"method": "in_person", "attested_by_name": "Sam Sales"}})
    asked = next(a for a in ctx["audit"] if a["type"] == "signature_requested")
    asked["data"] = {"name": "Jeanne Dupont", "email": "jeanne@client.test", "channel": "email"}
    ctx["audit"].append({**asked, "seq": 9, "prev_hash": fake_hash(8), "entry_hash": fake_hash(9),
                         "data": {"name": "Paul Martin", "email": "paul@client.test", "channel": "caller"}})
    text = one_line(" ".join(pages(proof.render_proof(ctx))))
    for words in expected:
        assert words in text, words
