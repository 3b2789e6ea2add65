"""What a test reads of a PDF Paraph made: its text, page after page (pypdf, a test dependency)."""
from __future__ import annotations

import io
import re


def pdf_text(pdf: bytes, *, plain_spaces: bool = False) -> str:
    """The text of every page, a line break between pages; ``plain_spaces``: the (narrow) no-break spaces that French
    typography puts before ":" and in amounts read as plain spaces, for a test that does not check them."""
    from pypdf import PdfReader
    text = "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(pdf)).pages)
    return re.sub(r"[\u202f\xa0]", " ", text) if plain_spaces else text


def contract_pdf_text(s, token: str, contract_id: str) -> str:
    """The text of a contract's (or quote's) PDF as the gateway answers it to ``token``."""
    r = s.get(f"/api/v1/contracts/{contract_id}/pdf", token=token)
    assert r.status_code == 200, r.get_json()
    return pdf_text(r.data)
