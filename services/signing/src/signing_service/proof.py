"""The proof of signature: a PDF report (weasyprint) of the document, each participant's evidence and
the hash-chained audit trail, written entirely in the request's language (labels, statuses, audit events,
dates). Times are shown in the signer's time zone when their device gave one, else in the default zone,
always with their UTC offset. CPU work: callers run :func:`render_proof` through ``offhub.run``."""
from __future__ import annotations

import base64
import tomllib
from importlib import resources

from jinja2 import ChainableUndefined, Environment, select_autoescape

from paraph_platform import pdf_sandbox

from .logic import format_time

# the report's wording, per language (labels, statuses, audit entry types, audit details): data, in
# templates/proof_wording.toml
_WORDING = tomllib.loads(resources.files("signing_service").joinpath("templates/proof_wording.toml").read_text("utf-8"))
LABELS = {locale: wording["labels"] for locale, wording in _WORDING.items()}
STATUSES = {locale: wording["statuses"] for locale, wording in _WORDING.items()}
EVENTS = {locale: wording["events"] for locale, wording in _WORDING.items()}
DETAILS = {locale: wording["details"] for locale, wording in _WORDING.items()}  # shown in this order

_env = Environment(autoescape=select_autoescape(default=True, default_for_string=True), undefined=ChainableUndefined,
                   trim_blocks=True, lstrip_blocks=True)


def _template():
    return _env.from_string(resources.files("signing_service").joinpath("templates/proof.html").read_text())


def _css() -> str:
    return resources.files("signing_service").joinpath("templates/proof.css").read_text()


def _event_label(locale: str, type: str, data: dict, signer_names: dict) -> str:
    """The audit entry's event. "All signed" names the signer when there was only one ("Jeanne Dupont a signé :
    le document est complet"), from the signers' ids the entry lists."""
    events = EVENTS[locale]
    if type == "all_signed":
        signers = data.get("signers") or []
        if len(signers) == 1:
            name = signer_names.get(signers[0])
            return events["all_signed_by_one"].format(name) if name else events["all_signed_by_the_one"]
    return events.get(type) or type.replace("_", " ").capitalize()


def _unbroken(text: str | None) -> str | None:
    """A masked phone number ("+33 6** ** ** 78") kept on one line."""
    return text.replace(" ", "\u00a0") if text else text


def _clock(locale: str, skew: float | None) -> str:
    """The signer's device clock against the server's (``skew``: server minus device, in seconds):
    "en retard de 2,5 s sur l'heure du serveur"."""
    if skew is None:
        return ""
    labels = LABELS[locale]
    if not skew:
        return labels["clock_same"]
    seconds = f"{abs(skew):.3f}".rstrip("0").rstrip(".").replace(".", labels["decimal_mark"])
    return labels["clock_behind" if skew > 0 else "clock_ahead"].format(seconds)


def _details(locale: str, data: dict) -> str:
    """The audit entry's data worth reading, "Canal : SMS, Destinataire : +33 6 ** ** ** 78"."""
    labels, names = LABELS[locale], DETAILS[locale]
    shown = []
    for key, name in names.items():
        value = data.get(key)
        if isinstance(value, dict):  # a person (a reassignment's from / to)
            value = " ".join(x for x in (value.get("name"), f"<{value['email']}>" if value.get("email") else "") if x)
        if key == "destination":
            value = _unbroken(value)
        if value:
            shown.append(f"{name}{labels['colon']}{labels.get(value, value) if key in ('channel', 'mode') else value}")
    return ", ".join(shown)[:300]


def build_html(context: dict) -> str:
    locale = context.get("locale") if context.get("locale") in LABELS else "fr"
    default_zone = context.get("time_zone")
    country = context.get("country")  # the company's: the order its English dates are written in
    zones = {e.get("participant_id"): e.get("time_zone") for e in context["evidence"] if e.get("time_zone")}

    def when(value, zone=None):
        return format_time(value, locale, zone or default_zone, country)

    signer_names = {e.get("participant_id"): (e.get("identity") or {}).get("name") for e in context["evidence"]
                    if e.get("role") == "signer" and e.get("action") == "sign"}
    evidence = []
    for e in context["evidence"]:
        image, zone, auth = e.get("signature_image"), e.get("time_zone"), e["authentication"]
        evidence.append({**e, "image_uri": ("data:image/png;base64," + base64.b64encode(image).decode())
                         if image else None,
                         "at": when(e["at"], zone), "client_signed_at": when(e.get("client_signed_at"), zone),
                         "clock": _clock(locale, e.get("clock_skew")),
                         "authentication": {**auth, "verified_at": when(auth.get("verified_at"), zone),
                                            "destination": _unbroken(auth.get("destination"))}})
    audit = []
    for a in context["audit"]:
        actor = a.get("actor") or {}
        audit.append({**a, "at": when(a["at"], zones.get(actor.get("id"))),
                      "event": _event_label(locale, a["type"], a.get("data") or {}, signer_names),
                      "actor": actor.get("name") or actor.get("email") or LABELS[locale].get(actor.get("type"), "")
                      or actor.get("type", ""),
                      "summary": _details(locale, a.get("data") or {})})
    attachments = [{**a, "uploaded_at": when(a["uploaded_at"])} for a in context.get("attachments") or []]
    request, sealed = context["request"], context["sealed"]
    return _template().render(**{
        **context, "evidence": evidence, "audit": audit, "attachments": attachments, "labels": LABELS[locale],
        "request": {**request, "status": STATUSES[locale].get(request["status"], request["status"]),
                    "created_at": when(request["created_at"]), "completed_at": when(request.get("completed_at"))},
        "sealed": {**sealed, "timestamp": when(sealed.get("timestamp"))},
        "generated_at": when(context["generated_at"])})


def render_proof(context: dict) -> bytes:
    """Sandboxed like every HTML-to-PDF render: the only images are the data: URLs built above, and
    anything else (a URL slipped into the evidence) fails the render instead of being fetched."""
    return pdf_sandbox.render_pdf(build_html(context), [_css()])
