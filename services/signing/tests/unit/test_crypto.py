"""PAdES sealing and verification with pyHanko, key material from the environment, the proof PDF."""
import io

import pytest
from cryptography.hazmat.primitives import serialization as ser
from cryptography.hazmat.primitives.serialization import pkcs12

from signing_service import crypto, devtsa, pdf_verification, proof


@pytest.fixture(scope="module")
def creds():
    return crypto.generate_dev_credentials()


@pytest.fixture(scope="module")
def km(creds):
    return crypto.dev_material(creds, crypto.issue_crl(creds))


@pytest.fixture(scope="module")
def pdf():
    from weasyprint import HTML
    return HTML(string="<h1>Devis Q-2030-00001</h1>" + "<p>Ligne de devis.</p>" * 80).write_pdf()


def verify(data, km):
    return pdf_verification.verify_pdf(data, km.trust_roots, km.fingerprints())


def test_seal_is_pades_b_t_over_the_whole_file_and_keeps_the_original_as_prefix(pdf, km):
    sealed = crypto.seal_pdf(pdf, km, reason="Signed by Jeanne", location="Paraph", contact="r1", level="B-T")
    assert sealed.startswith(pdf)
    report = verify(sealed, km)
    assert report["problems"] == [] and report["document_timestamps"] == []
    [sig] = report["signatures"]
    assert sig["intact"] and sig["valid"] and sig["trusted"] and sig["covers_whole_file"] and sig["pades"]
    assert sig["pades_level"] == "B-T" and sig["coverage"] == "entire_file"
    assert sig["paraph_key"] and sig["field"] == crypto.FIELD_NAME
    assert sig["timestamp"]["present"] and sig["timestamp"]["intact"] and sig["timestamp"]["trusted"]
    assert "Paraph e-signature seal" in sig["signer"]


def _dss(data):
    from pyhanko.pdf_utils.reader import PdfFileReader
    from pyhanko.sign.validation.dss import DocumentSecurityStore
    from pyhanko.sign.validation.errors import NoDSSFoundError
    try:
        return DocumentSecurityStore.read_dss(PdfFileReader(io.BytesIO(data)))
    except NoDSSFoundError:
        return None


@pytest.mark.parametrize("level", crypto.LEVELS)
def test_each_pades_level(pdf, km, level):
    sealed = crypto.seal_pdf(pdf, km, level=level)
    assert sealed.startswith(pdf)
    report = verify(sealed, km)
    [sig] = report["signatures"]
    assert sig["pades_level"] == level and report["problems"] == []
    assert sig["intact"] and sig["valid"] and sig["trusted"] and sig["covers_whole_file"]
    assert sig["timestamp"]["present"] is (level != "B-B")
    dss = _dss(sealed)
    if level in ("B-LT", "B-LTA"):  # the chain and the development CA's CRL, in the DSS
        assert len(dss.crls) == 1 and len(list(dss.load_certs())) >= 2
        assert sig["coverage"] == "entire_revision"  # the DSS (and timestamp) revisions come after it
    else:
        assert dss is None and sig["coverage"] == "entire_file"
    if level == "B-LTA":
        [ts] = report["document_timestamps"]
        assert ts["intact"] and ts["valid"] and ts["trusted"] and ts["covers_whole_file"] and ts["time"]
        assert sig["document_timestamp"] == {"present": True, "time": ts["time"], "intact": True, "valid": True,
                                             "trusted": True}
    else:
        assert report["document_timestamps"] == [] and sig["document_timestamp"]["present"] is False


def test_the_default_level_is_b_lta_and_the_setting_is_checked():
    assert crypto.pades_level(None) == "B-LTA" and crypto.pades_level("", has_tsa=False) == "B-LT"
    assert crypto.pades_level("pades-b-lt") == "B-LT"
    with pytest.raises(RuntimeError):
        crypto.pades_level("B-LTX")


def test_a_document_timestamp_that_does_not_match_is_reported(pdf, km):
    sealed = bytearray(crypto.seal_pdf(pdf, km, level="B-LTA"))
    start = sealed.rindex(b"/Contents <") + len(b"/Contents <")
    token_end = sealed.index(b">", start)
    while sealed[token_end - 1:token_end] == b"0":  # the token is padded with zeros
        token_end -= 1
    at = token_end - 20  # inside the TSA's signature value, the token's last field
    sealed[at:at + 1] = b"1" if sealed[at:at + 1] != b"1" else b"2"
    report = verify(bytes(sealed), km)
    sig = report["signatures"][0]
    assert sig["intact"] and sig["pades_level"] == "B-LTA"
    assert sig["document_timestamp"]["present"] and sig["document_timestamp"]["valid"] is False


def test_development_material_without_the_ca_key_seals_at_b_t(pdf):
    old = {name: value for name, value in crypto.generate_dev_credentials().items() if name != crypto.DEV_CA_KEY}
    assert crypto.issue_crl(old) is None
    material = crypto.dev_material(old)
    sig = verify(crypto.seal_pdf(pdf, material, level="B-LTA"), material)["signatures"][0]
    assert sig["pades_level"] == "B-T" and sig["trusted"] and sig["covers_whole_file"]


def _configured(creds):
    env = {"SIGNING_KEY_PEM": creds["signer.key.pem"].decode(), "SIGNING_CERT_PEM": creds["signer.pem"].decode(),
           "SIGNING_CHAIN_PEM": creds["ca.pem"].decode()}
    material = crypto.configured_material(env.get)
    crypto.attach_dev_tsa(material, creds)
    return material


def test_a_configured_certificate_gets_its_crl_where_it_points_else_falls_back_to_b_t(pdf):
    """A configured certificate's revocation information is fetched at sealing (its CRL distribution
    point); when it cannot be, the seal is B-T and says so."""
    import threading
    from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
    served = {}

    class Crl(BaseHTTPRequestHandler):
        def do_GET(self):
            body = served.get("crl")
            self.send_response(200 if body else 503)
            self.send_header("Content-Type", "application/pkix-crl")
            self.send_header("Content-Length", str(len(body or b"")))
            self.end_headers()
            self.wfile.write(body or b"")

        def log_message(self, *args):
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Crl)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        creds = crypto.generate_dev_credentials(crl_url=f"http://127.0.0.1:{server.server_address[1]}/ca.crl")
        material = _configured(creds)
        sig = verify(crypto.seal_pdf(pdf, material, level="B-LTA"), material)["signatures"][0]
        assert sig["pades_level"] == "B-T" and sig["trusted"]  # the CRL could not be fetched
        served["crl"] = crypto.issue_crl(creds)
        material = _configured(creds)
        sealed = crypto.seal_pdf(pdf, material, level="B-LTA")
        sig = verify(sealed, material)["signatures"][0]
        assert sig["pades_level"] == "B-LTA" and sig["document_timestamp"]["valid"] and len(_dss(sealed).crls) == 1
    finally:
        server.shutdown()
        server.server_close()


def test_a_modified_byte_or_an_appended_revision_fails(pdf, km):
    sealed = crypto.seal_pdf(pdf, km)
    assert verify(sealed, km)["signatures"][0]["pades_level"] == "B-LTA"
    tampered = bytearray(sealed)
    tampered[len(pdf) // 2] ^= 0x20
    sig = verify(bytes(tampered), km)["signatures"][0]
    assert sig["intact"] is False
    from pyhanko.pdf_utils import generic
    from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter
    w = IncrementalPdfFileWriter(io.BytesIO(sealed))
    w.root["/PieceInfo"] = generic.NameObject("/Changed")
    w.update_root()
    out = io.BytesIO()
    w.write(out)
    sig = verify(out.getvalue(), km)["signatures"][0]
    assert sig["intact"] is True and sig["covers_whole_file"] is False


def test_unsigned_garbage_and_foreign_keys(pdf, km, creds):
    assert verify(pdf, km)["problems"] == ["the PDF carries no signature"]
    assert "not a readable PDF" in verify(b"%PDF-1.7\n garbage", km)["problems"][0]
    other = crypto.dev_material(crypto.generate_dev_credentials())
    sig = verify(crypto.seal_pdf(pdf, other), km)["signatures"][0]
    assert sig["intact"] and not sig["paraph_key"] and not sig["trusted"]


def test_p12_and_pem_configuration(tmp_path, creds, pdf):
    key = ser.load_pem_private_key(creds["signer.key.pem"], None)
    from cryptography import x509
    cert = x509.load_pem_x509_certificate(creds["signer.pem"])
    ca = x509.load_pem_x509_certificate(creds["ca.pem"])
    p12 = tmp_path / "seal.p12"
    p12.write_bytes(pkcs12.serialize_key_and_certificates(b"seal", key, cert, [ca],
                                                          ser.BestAvailableEncryption(b"pw")))
    env = {"SIGNING_P12_PATH": str(p12), "SIGNING_P12_PASSWORD": "pw"}
    km = crypto.configured_material(env.get)
    assert km.source == "p12" and km.signing_cert.sha256 == crypto._certs_from_pem(creds["signer.pem"])[0].sha256
    assert [r.sha256 for r in km.trust_roots] == [crypto._certs_from_pem(creds["ca.pem"])[0].sha256]
    crypto.attach_dev_tsa(km, creds)
    assert verify(crypto.seal_pdf(pdf, km), km)["signatures"][0]["trusted"]
    env = {"SIGNING_KEY_PEM": creds["signer.key.pem"].decode(), "SIGNING_CERT_PEM": creds["signer.pem"].decode(),
           "SIGNING_CHAIN_PEM": creds["ca.pem"].decode()}
    km = crypto.configured_material(env.get)
    assert km.source == "pem" and len(km.chain) == 1
    assert crypto.configured_material({}.get) is None



@pytest.fixture(scope="module")
def key_files(tmp_path_factory, creds):
    """The development sealing key and certificate as the files an operator would mount: a PKCS#12 file
    under a password, one without, one without its key; the key in PEM, encrypted and not."""
    from cryptography import x509
    folder = tmp_path_factory.mktemp("keys")
    key = ser.load_pem_private_key(creds["signer.key.pem"], None)
    cert = x509.load_pem_x509_certificate(creds["signer.pem"])
    files = {
        "seal.p12": pkcs12.serialize_key_and_certificates(b"seal", key, cert, None, ser.BestAvailableEncryption(b"pw")),
        "open.p12": pkcs12.serialize_key_and_certificates(b"seal", key, cert, None, ser.NoEncryption()),
        "cert-only.p12": pkcs12.serialize_key_and_certificates(b"seal", None, cert, None,
                                                                ser.BestAvailableEncryption(b"pw")),
        "key.pem": creds["signer.key.pem"],
        "locked-key.pem": key.private_bytes(ser.Encoding.PEM, ser.PrivateFormat.PKCS8, ser.BestAvailableEncryption(b"pw")),
        "cert.pem": creds["signer.pem"],
        "other-cert.pem": creds["tsa.pem"],  # another key's certificate
    }
    for name, data in files.items():
        (folder / name).write_bytes(data)
    return folder


P12 = "SIGNING_P12_PATH must be the path of a PKCS#12 file (.p12, .pfx) holding the sealing key and its certificate"


@pytest.mark.parametrize("settings, said", [
    ({"SIGNING_P12_PATH": "missing.p12"}, f"{P12}: cannot read '{{dir}}/missing.p12' (No such file or directory)"),
    ({"SIGNING_P12_PATH": "seal.p12", "SIGNING_P12_PASSWORD": "nope"},
     "SIGNING_P12_PASSWORD does not open the PKCS#12 file '{dir}/seal.p12' (SIGNING_P12_PATH): wrong password"),
    ({"SIGNING_P12_PATH": "seal.p12"},
     "SIGNING_P12_PASSWORD is not set and the PKCS#12 file '{dir}/seal.p12' (SIGNING_P12_PATH) does not open "
     "without a password"),
    ({"SIGNING_P12_PATH": "open.p12", "SIGNING_P12_PASSWORD": "pw"},
     "SIGNING_P12_PASSWORD is set but the PKCS#12 file '{dir}/open.p12' (SIGNING_P12_PATH) has no password: "
     "unset SIGNING_P12_PASSWORD"),
    ({"SIGNING_P12_PATH": "cert.pem"}, f"{P12}: '{{dir}}/cert.pem' is not a PKCS#12 file"),
    ({"SIGNING_P12_PATH": "cert-only.p12", "SIGNING_P12_PASSWORD": "pw"},
     f"{P12}: '{{dir}}/cert-only.p12' holds no private key"),
    ({"SIGNING_KEY_PEM": "key.pem"}, "SIGNING_CERT_PEM is not set while SIGNING_KEY_PEM is: the sealing key and "
                                     "its certificate go together (unset both to seal with the development CA)"),
    ({"SIGNING_KEY_PEM": "locked-key.pem", "SIGNING_CERT_PEM": "cert.pem"},
     "SIGNING_KEY_PASSWORD does not fit the key SIGNING_KEY_PEM ('{dir}/locked-key.pem'): Password was not given "
     "but private key is encrypted"),
    ({"SIGNING_KEY_PEM": "cert.pem", "SIGNING_CERT_PEM": "cert.pem"},
     "SIGNING_KEY_PEM must be the sealing private key in PEM, or the path of its file: '{dir}/cert.pem' does not "
     "parse as a private key (Valid PEM but no BEGIN/END delimiters for a private key found. Are you sure this "
     "is a private key?)"),
    ({"SIGNING_KEY_PEM": "key.pem", "SIGNING_CERT_PEM": "other-cert.pem"},
     "SIGNING_KEY_PEM and SIGNING_CERT_PEM: the private key is not the certificate's "
     "(O=Paraph (development),CN=Paraph development TSA)"),
    ({"SIGNING_KEY_PEM": "key.pem", "SIGNING_CERT_PEM": "key.pem"},
     "SIGNING_CERT_PEM must be the sealing certificate in PEM, or the path of its file: '{dir}/key.pem' holds no "
     "certificate"),
    ({"SIGNING_TRUST_ROOTS_PEM": "missing.pem"},
     "SIGNING_TRUST_ROOTS_PEM must be certificates in PEM, or the path of their file: cannot read "
     "'{dir}/missing.pem' (No such file or directory)"),
    ({"SIGNATURE_PADES_LEVEL": "B-LTX"}, "SIGNATURE_PADES_LEVEL must be one of B-B, B-T, B-LT, B-LTA, not 'B-LTX'"),
])
def test_key_settings_that_cannot_work_are_one_sentence_naming_the_setting(key_files, settings, said):
    """What signing's preflight says at start (the same as the first seal would raise)."""
    from paraph_platform.config import ConfigError
    paths = ("SIGNING_P12_PATH", "SIGNING_KEY_PEM", "SIGNING_CERT_PEM", "SIGNING_TRUST_ROOTS_PEM")
    env = {name: str(key_files / value) if name in paths else value for name, value in settings.items()}
    with pytest.raises(ConfigError) as refused:
        crypto.check_settings(env.get)
    assert str(refused.value) == said.format(dir=key_files)


def test_key_settings_that_work_pass_the_check(key_files, creds):
    for env in ({"SIGNING_P12_PATH": str(key_files / "seal.p12"), "SIGNING_P12_PASSWORD": "pw"},
                {"SIGNING_P12_PATH": str(key_files / "open.p12")},
                {"SIGNING_KEY_PEM": str(key_files / "locked-key.pem"), "SIGNING_KEY_PASSWORD": "pw",
                 "SIGNING_CERT_PEM": creds["signer.pem"].decode(), "SIGNING_CHAIN_PEM": creds["ca.pem"].decode(),
                 "SIGNING_TRUST_ROOTS_PEM": str(key_files / "cert.pem"), "SIGNATURE_PADES_LEVEL": "B-T"},
                {"SIGNING_KEY_PEM": "Bag Attributes\n    localKeyID: 01\n" + creds["signer.key.pem"].decode(),
                 "SIGNING_CERT_PEM": creds["signer.pem"].decode()},  # as openssl pkcs12 -nodes writes it
                {}):
        crypto.check_settings(env.get)


def test_http_tsa(pdf, km):
    tsa = devtsa.start_tsa()
    try:
        material = crypto.dev_material(crypto.generate_dev_credentials())
        material.tsa_url, material.tsa_cert = tsa.url, None
        crypto.add_trust_roots(material, tsa.ca_pem)
        sealed = crypto.seal_pdf(pdf, material, level="B-T")
        first = tsa.requests
        assert first >= 1
        crypto.seal_pdf(pdf, material, level="B-T")
        assert tsa.requests == first + 1  # the token size estimate is cached
        sig = verify(sealed, material)["signatures"][0]
        assert sig["timestamp"]["present"] and sig["timestamp"]["trusted"]
        tsa.fail = True
        for level in ("B-T", "B-LTA"):  # a TSA outage is not a reason to seal at a lower level
            with pytest.raises(Exception):
                crypto.seal_pdf(pdf, material, level=level)
    finally:
        tsa.stop()


def test_proof_renders(km):
    from signing_service.testing import signature_png
    import base64
    context = {"locale": "en", "document": {"filename": "Q.pdf", "sha256": "a" * 64},
               "contract": {"number": "Q-1", "title": "T <b>"}, "sealed": {"sha256": "b" * 64},
               "request": {"id": "r1", "status": "completed", "owner_name": "O", "owner_email": "o@x",
                           "created_at": "2030-01-02T09:00:00+00:00", "completed_at": "2030-01-02T10:00:00+00:00"},
               "evidence": [{"role": "signer", "order": 1, "action": "sign", "mode": "offline",
                             "identity": {"name": "J", "email": "j@x", "kind": "contact"},
                             "authentication": {"method": "in_person", "attested_by_name": "Sam"},
                             "document_sha256": "a" * 64, "consent_text": "I agree", "consent_sha256": "c" * 64,
                             "at": "2030-01-02T09:30:03+00:00", "client_signed_at": "2030-01-02T09:30:00+00:00",
                             "clock_skew": 3.0, "device_id": "tab-1",
                             "geolocation": {"latitude": 48.8, "longitude": 2.3},
                             "signature_image": base64.b64decode(signature_png().split(",")[1])}],
               "audit": [], "chain": {"valid": True, "entries": 0, "head": None},
               "generated_at": "2030-01-02T10:00:01+00:00"}
    html = proof.build_html(context)
    assert "T &lt;b&gt;" in html and "data:image/png;base64," in html and "in person" in html
    assert proof.render_proof(context).startswith(b"%PDF")


def test_proof_render_is_sandboxed(monkeypatch):
    """The proof goes through the platform's HTML-to-PDF sandbox: a URL reaching its HTML is never fetched."""
    from paraph_platform.pdf_sandbox import FetchRefused
    monkeypatch.setattr(proof, "build_html", lambda context: '<link rel="attachment" href="file:///etc/hostname">')
    with pytest.raises(FetchRefused) as refused:
        proof.render_proof({})
    assert refused.value.urls == ["file:///etc/hostname"]
