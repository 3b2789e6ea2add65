"""Pure signing rules: the audit chain, one-time codes, links, masking, turns, consent, images."""
import base64
from datetime import datetime, timedelta, timezone
from types import SimpleNamespace

import pytest

from signing_service import logic
from signing_service.exceptions import InvalidInput
from signing_service.testing import signature_png
from tests.typography import breakable_spaces

T0 = datetime(2030, 1, 15, 9, 30, tzinfo=timezone.utc)


def chain(n=4, request_id="r1"):
    entries, prev = [], logic.GENESIS_HASH
    for seq in range(1, n + 1):
        body = logic.audit_body(request_id, seq, T0 + timedelta(seconds=seq), f"event{seq}",
                                {"type": "participant", "id": "p1", "name": "Zoé"}, {"n": seq, "é": "ü"})
        h = logic.chain_hash(prev, body)
        entries.append(logic.ChainEntry(seq, prev, h, body))
        prev = h
    return entries


def test_a_sound_chain_verifies():
    entries = chain()
    result = logic.verify_chain(entries, "r1")
    assert result == {"valid": True, "entries": 4, "head": entries[-1].entry_hash, "errors": []}
    assert logic.verify_chain([], "r1")["valid"] is False


def test_entry_hash_is_sha256_of_prev_hash_and_canonical_body():
    e = chain(1)[0]
    import hashlib
    assert e.entry_hash == hashlib.sha256((logic.GENESIS_HASH + e.body).encode()).hexdigest()
    assert e.body == logic.canonical_json(__import__("json").loads(e.body))
    assert '"at":"2030-01-15T09:30:01Z"' in e.body and "Zoé" in e.body  # UTC, UTF-8 kept


@pytest.mark.parametrize("tamper, problem", [
    (lambda es: setattr(es[1], "body", es[1].body.replace('"n":2', '"n":3')), "entry_hash does not match"),
    (lambda es: es.pop(1), "sequence gap"),
    (lambda es: setattr(es[2], "prev_hash", "f" * 64), "prev_hash does not match"),
    (lambda es: es.__setitem__(slice(1, 3), [es[2], es[1]]), "sequence gap"),
])
def test_any_change_breaks_the_chain(tamper, problem):
    entries = chain()
    tamper(entries)
    result = logic.verify_chain(entries, "r1")
    assert result["valid"] is False
    assert any(problem in p for e in result["errors"] for p in e["problems"])


def test_a_rehashed_but_foreign_entry_is_detected():
    entries = chain(2, request_id="other")
    assert logic.verify_chain(entries, "r1")["valid"] is False


def test_otp_codes_are_six_digits_hashed_and_checked_in_constant_time():
    key = logic.derive_key("secret", "otp")
    codes = {logic.new_otp() for _ in range(200)}
    assert all(len(c) == 6 and c.isdigit() for c in codes) and len(codes) > 150
    h = logic.otp_hash(key, "c1", "012345")
    assert "012345" not in h and len(h) == 64
    assert logic.otp_matches(key, "c1", "012345", h)
    assert logic.otp_matches(key, "c1", " 012345 ", h)
    assert not logic.otp_matches(key, "c1", "012346", h)
    assert not logic.otp_matches(key, "c2", "012345", h)  # bound to its challenge
    assert not logic.otp_matches(logic.derive_key("other", "otp"), "c1", "012345", h)
    assert not logic.otp_matches(key, "c1", "12345", h) and not logic.otp_matches(key, "c1", "abcdef", h)


def test_link_tokens_are_deterministic_unguessable_and_stored_hashed():
    key = logic.derive_key("secret", "links")
    t = logic.link_token(key, "p1")
    assert t == logic.link_token(key, "p1") and t != logic.link_token(key, "p2")
    assert t != logic.link_token(logic.derive_key("secret2", "links"), "p1")
    assert len(t) >= 43 and logic.valid_token_shape(t)
    assert logic.token_hash(t) != t and len(logic.token_hash(t)) == 64
    for bad in ("", "short", "x" * 200, "../../etc/passwd-aaaaaaaaaaaaaaaaaaaa", None, 12):
        assert not logic.valid_token_shape(bad)


def test_masking():
    assert logic.mask_email("jeanne.dupont@client.test") == "j************@client.test"
    assert logic.mask_email("a@b.c") == "a***@b.c"
    assert logic.mask_email(None) == ""
    assert logic.mask_phone("+33 6 12 34 56 78") == "+33*******78"
    assert logic.mask_phone("0612345678") == "06******78"
    assert logic.otp_destination("sms", "a@b.c", "+33612345678", None)[0] == "sms"
    assert logic.otp_destination("sms", "a@b.c", None, None) == ("email", "a@b.c", "a***@b.c")
    assert logic.otp_destination("email", "a@b.c", "+33612345678", "sms")[0] == "sms"


def P(id, role, order, status="waiting"):
    return SimpleNamespace(id=id, role=role, order=order, status=status)


def test_approvers_first_then_signers_in_order_with_parallel_ties():
    ps = [P("a1", "approver", 1), P("a2", "approver", 1), P("s1", "signer", 1), P("s2", "signer", 2),
          P("s3", "signer", 2)]
    assert logic.next_turn(ps) == logic.Turn("approval", ["a1", "a2"])
    ps[0].status = "approved"
    assert logic.next_turn(ps).active == ["a2"]
    ps[1].status = "approved"
    assert logic.next_turn(ps) == logic.Turn("signing", ["s1"])
    ps[2].status = "signed"
    assert logic.next_turn(ps) == logic.Turn("signing", ["s2", "s3"])
    ps[3].status = ps[4].status = "signed"
    assert logic.next_turn(ps) == logic.Turn("done", [])
    assert logic.next_turn([P("s1", "signer", 5)]).active == ["s1"]


def test_default_order_is_the_position():
    items = logic.normalize_orders([{"x": 1}, {"x": 2, "order": 1}, {"x": 3}])
    assert [(i["order"], i["position"]) for i in items] == [(1, 1), (1, 2), (3, 3)]


def test_consent_names_the_document_and_its_hash():
    text = logic.consent_text("fr", "signer", "Q-2030-00001", "Maintenance", "ab" * 32)
    assert "Q-2030-00001" in text and "«\u00a0Maintenance\u00a0»" in text and "ab" * 32 in text
    assert breakable_spaces(text) == []  # no line starts with the closing quote
    assert "signer électroniquement" in text
    assert text.endswith(f"Empreinte SHA-256 du document\u00a0: {'ab' * 32}")  # last: the page shows it apart
    en = logic.consent_text("en", "approver", "Q-1", "", "cd" * 32)
    assert "approve" in en and '""' not in en
    assert logic.consent_text("de", "signer", "Q", "", "0" * 64) == logic.consent_text("fr", "signer", "Q", "", "0" * 64)


def test_signature_images():
    png = logic.decode_signature_image(signature_png())
    assert png.startswith(logic.PNG_MAGIC)
    logic.check_png(png)
    assert logic.decode_signature_image(base64.b64encode(png).decode()) == png
    assert logic.decode_signature_image(None) is None and logic.decode_signature_image("") is None
    for bad in ("data:image/svg+xml;base64,PHN2Zz4=", "not base64!", base64.b64encode(b"GIF89a....").decode(),
                "A" * 500_000, 42):
        with pytest.raises(InvalidInput):
            logic.decode_signature_image(bad)
    with pytest.raises(InvalidInput):
        logic.check_png(logic.PNG_MAGIC + b"\x00" * 30)


def test_clock_skew_and_fingerprints():
    assert logic.clock_skew_seconds(T0, T0 + timedelta(minutes=2)) == 120.0
    assert logic.clock_skew_seconds(None, T0) is None
    assert logic.item_fingerprint({"a": 1, "b": 2}) == logic.item_fingerprint({"b": 2, "a": 1})


def _request(kind, number, title):
    return SimpleNamespace(contract_kind=kind, contract_number=number, contract_title=title)


@pytest.mark.parametrize("title, name", [
    ("Contrat de prestation", "Contrat de prestation-signed.pdf"),
    ("Contrat élève 2024/05", "Contrat élève 2024-05-signed.pdf"),  # accents kept, never a folder
    ("Offre : Dupont \\ Durand", "Offre - Dupont - Durand-signed.pdf"),  # what Windows refuses
    ("..Accord\r\nSet-Cookie: x", "Accord Set-Cookie - x-signed.pdf"),  # no hidden file, no line break
    ("Facture\u202efdp.exe", "Facturefdp.exe-signed.pdf"),  # no right-to-left override disguising the name
    ("e\u0301te\u0301", "été-signed.pdf"),  # NFC, as typed on a Mac or a PC
    (" / ", "scan_0012-signed.pdf"),  # nothing left: the file's name
])
def test_a_signed_upload_is_named_after_its_title_safely(title, name):
    assert logic.file_name(_request("document", "scan_0012", title), logic.SIGNED) == name


def test_every_file_of_an_upload_is_named_after_its_title():
    """The document to sign, the sealed PDF and the proof: one name, the title's (not the file's, "scan_0012")."""
    upload = _request("document", "scan_0012", "Contrat : Dupont")
    assert [logic.file_name(upload, ending) for ending in (logic.TO_SIGN, logic.SIGNED, logic.PROOF)] == [
        "Contrat - Dupont.pdf", "Contrat - Dupont-signed.pdf", "Contrat - Dupont-proof.pdf"]
    quote = _request("quote", "D-2026-0042", "Contrat : Dupont")
    assert [logic.file_name(quote, ending) for ending in (logic.TO_SIGN, logic.SIGNED, logic.PROOF)] == [
        "D-2026-0042.pdf", "D-2026-0042-signed.pdf", "D-2026-0042-proof.pdf"]


def test_a_long_title_is_cut_at_a_word_and_a_contract_keeps_its_number():
    long = logic.file_name(_request("document", "scan", "Conditions générales " * 20), logic.SIGNED)
    stem = long.removesuffix("-signed.pdf")
    assert len(stem) <= logic.FILE_STEM_MAX_CHARS and stem.split()[-1] in ("Conditions", "générales")  # whole words
    wide = logic.file_stem("合" * 300)  # 3 bytes a character: cut by bytes
    assert len(wide.encode()) <= logic.FILE_STEM_MAX_BYTES and set(wide) == {"合"}
    assert logic.file_name(_request("quote", "D-2026-0042", "Contrat / titre"), logic.SIGNED) == "D-2026-0042-signed.pdf"
