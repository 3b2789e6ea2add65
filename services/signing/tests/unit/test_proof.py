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
                      "data": {"channel": "sms", "destination": "+33 6** ** ** 78"} if kind == "otp_sent" else {},
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
    assert logic.format_time("2026-12-01T20:24:38Z", "en") == "December 1, 2026 at 9:24:38 PM (UTC+1)"
    assert logic.format_time("2026-07-14T08:05:00Z", "fr", "Europe/Paris") == "14 juillet 2026 à 10:05:00 (UTC+2)"
    assert logic.format_time("2026-12-01T20:24:38Z", "en", "America/New_York") == \
        "December 1, 2026 at 3:24:38 PM (UTC-5)"
    assert logic.format_time("2026-12-01T00:10:00Z", "en", "Asia/Kolkata") == "December 1, 2026 at 5:40:00 AM (UTC+5:30)"
    assert logic.format_time("2026-12-01T12:00:00Z", "en", "UTC") == "December 1, 2026 at 12:00:00 PM (UTC+0)"
    # a zone the database does not know: the default one
    assert logic.format_time("2026-12-01T20:24:38Z", "fr", "Mars/Olympus") == "1er décembre 2026 à 21:24:38 (UTC+1)"
    assert logic.format_time(None, "fr") == ""


@pytest.mark.parametrize("locale,expected,absent", [
    ("fr", ["Preuve de signature électronique", "Statut Terminée", "Demande créée", "Signature demandée",
            "Document consulté", "Code à usage unique envoyé", "Canal : SMS", "Tous les signataires ont signé",
            "Document scellé", "Demande terminée", "1er décembre 2026 à 21:24:38 (UTC+1)", "contact client",
            "Date et heure", "système", "« J'accepte. »"],
     ["request_created", "completed", "UTC)", "system", "otp_sent", "channel"]),
    ("en", ["Proof of electronic signature", "Status Completed", "Request created", "Signature requested",
            "Document viewed", "One-time code sent", "Channel: SMS", "Every signer signed", "Document sealed",
            "Request completed", "December 1, 2026 at 9:24:38 PM (UTC+1)", "customer contact", "Date and time",
            "“J'accepte.”"],
     ["request_created", "otp_sent", "channel=", "Z", "«"]),
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
    assert "December 1, 2026 at 3:24:38 PM (UTC-5)" in text
    assert "Completed December 1, 2026 at 9:24:38 PM (UTC+1)" in text


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
