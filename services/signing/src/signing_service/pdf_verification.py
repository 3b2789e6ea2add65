"""Verifying the signatures of a PDF with pyHanko: integrity, coverage, timestamps, trust and the PAdES baseline
level each reaches (B-B to B-LTA: see signing_service.crypto, which seals them).

CPU-bound like the sealing: the service calls :func:`verify_pdf` through ``paraph_platform.offhub.run``.
"""
from __future__ import annotations

import io

from paraph_platform.envelope import iso


def _covers_whole_file(status) -> bool:
    """Nothing but the signed bytes, or after them only what long-term validation adds (DSS revisions,
    document timestamps): pyHanko's ``LTA_UPDATES``."""
    if status.coverage is None:
        return False
    if status.coverage.name == "ENTIRE_FILE":
        return True
    level = getattr(status, "modification_level", None)
    return status.coverage.name == "ENTIRE_REVISION" and level is not None and level.name == "LTA_UPDATES"


def _dss_revocation(reader) -> dict:
    """The revocation information in the document security store: {"crl_issuers": [(name, key identifier)],
    "ocsp_serials": [serial]}, or {} without a DSS."""
    from asn1crypto import crl, ocsp
    from pyhanko.sign.validation.dss import DocumentSecurityStore
    from pyhanko.sign.validation.errors import NoDSSFoundError
    try:
        dss = DocumentSecurityStore.read_dss(reader)
    except NoDSSFoundError:
        return {}
    issuers = []
    for ref in dss.crls:
        parsed = crl.CertificateList.load(ref.get_object().data)
        issuers.append((parsed.issuer, parsed.authority_key_identifier))
    serials = []
    for ref in dss.ocsps:
        basic = ocsp.OCSPResponse.load(ref.get_object().data).basic_ocsp_response
        if basic is not None:
            serials += [r["cert_id"]["serial_number"].native for r in basic["tbs_response_data"]["responses"]]
    return {"crl_issuers": issuers, "ocsp_serials": serials}


def _level(item: dict, cert, revocation: dict, later_doc_timestamps: list) -> str | None:
    """The PAdES baseline level a signature reaches, from what the file holds (validity is reported apart):
    B-T with a signature timestamp, B-LT with the signer's revocation information in the DSS, B-LTA with a
    document timestamp after the signature."""
    if not item["pades"]:
        return None
    if not item["timestamp"]["present"]:
        return "B-B"
    # a CRL of the signer's issuer (same name and, when both say, same key: two CAs may share a name)
    signer_key = cert.authority_key_identifier
    by_crl = any(name == cert.issuer and (key is None or signer_key is None or key == signer_key)
                 for name, key in revocation.get("crl_issuers", ()))
    if not (by_crl or cert.serial_number in revocation.get("ocsp_serials", ())):
        return "B-T"
    return "B-LTA" if later_doc_timestamps else "B-LT"


def verify_pdf(data: bytes, trust_roots: list, paraph_fingerprints: set[str]) -> dict:
    """pyHanko's validation of every signature of ``data``: integrity, coverage, timestamp, trust, PAdES
    level; and of its document timestamps (``document_timestamps``, oldest first)."""
    from pyhanko.pdf_utils.reader import PdfFileReader
    from pyhanko.sign.validation import validate_pdf_signature, validate_pdf_timestamp
    from pyhanko_certvalidator import ValidationContext

    report = {"signatures": [], "document_timestamps": [], "problems": []}
    try:
        reader = PdfFileReader(io.BytesIO(data), strict=False)
        embedded = list(reader.embedded_signatures)
        revocation = _dss_revocation(reader)
    except Exception as exc:  # noqa: BLE001 - whatever the parser says, it is not a readable PDF
        report["problems"].append(f"not a readable PDF ({type(exc).__name__})")
        return report
    doc_timestamps = [sig for sig in embedded if sig.sig_object_type == "/DocTimeStamp"]
    embedded = [sig for sig in embedded if sig.sig_object_type != "/DocTimeStamp"]
    if not embedded:
        report["problems"].append("the PDF carries no signature")
        return report

    def context():
        return ValidationContext(trust_roots=list(trust_roots), allow_fetching=False, revocation_mode="soft-fail")

    for sig in doc_timestamps:
        item = {"field": sig.field_name, "revision": sig.signed_revision, "time": None, "intact": False,
                "valid": False, "trusted": False, "covers_whole_file": False}
        try:
            status = validate_pdf_timestamp(sig, validation_context=context())
            item.update({"time": iso(status.timestamp), "intact": bool(status.intact), "valid": bool(status.valid),
                         "trusted": bool(status.trusted), "covers_whole_file": _covers_whole_file(status)})
        except Exception as exc:  # noqa: BLE001 - a malformed timestamp is a failed timestamp
            item["error"] = f"{type(exc).__name__}: {exc}"[:300]
        report["document_timestamps"].append(item)

    for sig in embedded:
        item = {"field": sig.field_name, "signer": None, "signer_certificate_sha256": None, "paraph_key": False,
                "intact": False, "valid": False, "trusted": False, "coverage": None, "covers_whole_file": False,
                "signing_time": None, "pades": None, "pades_level": None,
                "timestamp": {"present": False, "time": None, "intact": False, "valid": False, "trusted": False},
                "document_timestamp": {"present": False, "time": None, "intact": False, "valid": False,
                                       "trusted": False}}
        try:
            cert = sig.signer_cert
            item["signer"] = cert.subject.human_friendly
            item["signer_certificate_sha256"] = cert.sha256.hex()
            item["paraph_key"] = cert.sha256.hex() in paraph_fingerprints
            subfilter = sig.sig_object.get("/SubFilter")
            item["pades"] = str(subfilter) == "/ETSI.CAdES.detached"
            status = validate_pdf_signature(sig, signer_validation_context=context(),
                                            ts_validation_context=context())
            item.update({"intact": bool(status.intact), "valid": bool(status.valid),
                         "trusted": bool(status.trusted),
                         "coverage": status.coverage.name.lower() if status.coverage else None,
                         "covers_whole_file": _covers_whole_file(status),
                         "signing_time": iso(status.signer_reported_dt)})
            ts = status.timestamp_validity
            if ts is not None:
                item["timestamp"] = {"present": True, "time": iso(ts.timestamp), "intact": bool(ts.intact),
                                     "valid": bool(ts.valid), "trusted": bool(ts.trusted)}
            # the first document timestamp over this signature (the one that makes it B-LTA)
            later = [x for x in report["document_timestamps"] if x["revision"] > sig.signed_revision]
            if later:
                item["document_timestamp"] = {"present": True, **{k: later[0][k] for k in (
                    "time", "intact", "valid", "trusted")}}
            item["pades_level"] = _level(item, cert, revocation, later)
        except Exception as exc:  # noqa: BLE001 - a malformed signature is a failed signature
            item["error"] = f"{type(exc).__name__}: {exc}"[:300]
        report["signatures"].append(item)
    return report
