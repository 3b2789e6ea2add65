"""The checks of an uploaded document (pure functions, no service): what inspect_pdf refuses, DOCX sniffing
and the LibreOffice command."""
import pytest

from signing_service import testing as esign
from signing_service import uploaded_documents as up


def test_a_plain_pdf_is_accepted_with_its_pages():
    assert up.inspect_pdf(esign.pdf_file(2), 200) == {"pages": 2}


@pytest.mark.parametrize("defect, reason", [
    ("encrypt", "encrypted"),
    ("javascript", "javascript"),
    ("open_action_script", "javascript"),
    ("embedded_file", "embedded_file"),
])
def test_refused_pdfs(defect, reason):
    assert up.inspect_pdf(esign.pdf_file(1, **{defect: True}), 200)["refused"] == reason


def test_malformed_too_many_pages_and_no_pages():
    assert up.inspect_pdf(b"%PDF-1.7\nnot really a PDF", 200)["refused"] in ("malformed", "no_pages")
    assert up.inspect_pdf(esign.pdf_file(3), 2) == {"refused": "too_many_pages", "pages": 3}
    assert up.inspect_pdf(esign.pdf_file(0), 200)["refused"] in ("malformed", "no_pages")


def test_docx_sniffing():
    assert up.is_docx("contract.DOCX", b"anything")
    assert up.is_docx("upload.bin", esign.docx_file())
    assert not up.is_docx("archive.zip", esign.docx_file()[:10])
    assert not up.is_docx("notes.txt", b"hello")


def test_docx_convert_command():
    cmd = up.docx_convert_command("/usr/bin/soffice", "/tmp/w/document.docx", "/tmp/w/out", "/tmp/w/profile")
    assert cmd[0] == "/usr/bin/soffice" and "--headless" in cmd
    assert cmd[cmd.index("--convert-to") + 1] == "pdf" and cmd[cmd.index("--outdir") + 1] == "/tmp/w/out"
    assert "-env:UserInstallation=file:///tmp/w/profile" in cmd and cmd[-1] == "/tmp/w/document.docx"


def test_docx_conversion_failure_is_reported(tmp_path):
    fake = tmp_path / "soffice"
    fake.write_text("#!/bin/sh\nexit 1\n")
    fake.chmod(0o755)
    assert up.convert_docx(str(fake), esign.docx_file()) == {"error": "failed"}


def test_docx_converted_by_the_command(tmp_path):
    fake = tmp_path / "soffice"  # writes <outdir>/document.pdf like LibreOffice
    fake.write_text('#!/bin/sh\nwhile [ "$1" != "--outdir" ]; do shift; done\nmkdir -p "$2"\n'
                    'printf "%%PDF-1.7 converted" > "$2/document.pdf"\n')
    fake.chmod(0o755)
    assert up.convert_docx(str(fake), esign.docx_file()) == {"pdf": b"%PDF-1.7 converted"}


def test_too_large_and_docx_without_libreoffice_are_refused_before_parsing(monkeypatch):
    from types import SimpleNamespace

    from paraph_platform.errors import InvalidInput
    owner = SimpleNamespace(settings=SimpleNamespace(max_document_bytes=1000, max_document_pages=200))
    with pytest.raises(InvalidInput) as refused:
        up.UploadedDocumentsEndpoints._uploaded_pdf(owner, "big.pdf", b"%PDF-" + b"0" * 1000)
    assert refused.value.details["reason"] == "too_large" and "largest accepted" in refused.value.message
    monkeypatch.setattr(up.shutil, "which", lambda name: None)
    with pytest.raises(InvalidInput) as refused:
        up.UploadedDocumentsEndpoints._uploaded_pdf(owner, "agreement.docx", esign.docx_file())
    assert refused.value.message == "DOCX is converted only when LibreOffice is installed; upload a PDF."
