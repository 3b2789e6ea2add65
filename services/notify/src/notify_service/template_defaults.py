"""Notification templates: the built-in wording. Every template of the catalog in every locale, as subject,
plain text, HTML (one shared email layout, with a button for the link) and SMS, built once at import by
:func:`_build` from its wording in template_defaults.toml. A license admin's own version replaces these (see
notification_templates.py); rendering and validation are in templates.py.
"""
from __future__ import annotations

import tomllib
from importlib import resources

from .template_catalog import TEMPLATE_NAMES

_BUTTON = ('<p style="margin:28px 0"><a href="%(href)s" style="display:inline-block;background:#1f4fd1;'
           'color:#ffffff;text-decoration:none;padding:12px 22px;border-radius:5px;font-weight:bold">%(label)s</a></p>\n'
           '<p style="font-size:12px;color:#7b8794">%(fallback)s<br>'
           '<a href="%(href)s" style="color:#1f4fd1;word-break:break-all">%(href)s</a></p>')


def button_html(label: str, href: str, fallback: str) -> str:
    """An email's button to ``href`` and, under it, the link spelled out (``fallback`` says why) for mail clients
    that do not show the button. The arguments are HTML already: escaped text, or Jinja sources ("{{ link }}")."""
    return _BUTTON % {"label": label, "href": href, "fallback": fallback}


# the card is 600 px wide at most and the screen's width on a phone (a fixed width="600" made phones scroll sideways)
EMAIL_LAYOUT = ('<!doctype html>\n<html lang="%(lang)s"><head><meta charset="utf-8">'
                '<meta name="viewport" content="width=device-width, initial-scale=1"></head>\n'
                '<body style="margin:0;padding:0;background:#f3f4f6">\n'
                '<table role="presentation" width="100%%" cellpadding="0" cellspacing="0" style="background:#f3f4f6;padding:24px 0">'
                '<tr><td align="center">\n'
                '<table role="presentation" width="100%%" cellpadding="0" cellspacing="0" style="max-width:600px;background:#ffffff;'
                'border-radius:8px;padding:32px;font-family:Helvetica,Arial,sans-serif;font-size:15px;line-height:1.55;color:#1f2933">'
                '<tr><td>\n%(body)s\n</td></tr></table>\n'
                '<p style="font-family:Helvetica,Arial,sans-serif;font-size:12px;color:#7b8794">%(footer)s</p>\n'
                '</td></tr></table>\n</body></html>\n')


def _build(locale: str, wording: dict, template: dict) -> dict:
    """One template's wording (see template_defaults.toml) -> its subject, text, HTML and SMS sources."""
    greeting, signature = wording["greeting"], wording["signatures"][template["signature"]]
    text_parts, html_parts = [greeting + "\n\n"], [f"<p>{greeting}</p>"]
    for block in template["blocks"]:
        if isinstance(block, str):
            text_parts.append(f"{block}\n\n")
            html_parts.append(f"<p>{_html_paragraph(block)}</p>")
        elif "button" in block:
            label = block["button"]
            text_parts.append(f"{label}{wording['label_separator']}{{{{ link }}}}\n\n")
            html_parts.append(button_html(label, "{{ link }}", wording["button_fallback"]))
        else:
            condition, paragraph = block["if"], block["text"]
            text_parts.append(f"{{% if {condition} %}}\n{paragraph}\n\n{{% endif %}}\n")
            html_parts.append(f"{{% if {condition} %}}<p>{_html_paragraph(paragraph)}</p>{{% endif %}}")
    text_parts.append(signature + "\n")
    html_parts.append(f"<p>{_html_paragraph(signature)}</p>")
    body = "\n".join(html_parts)
    return {"subject": template["subject"], "text": "".join(text_parts),
            "html": EMAIL_LAYOUT % {"lang": locale, "body": body, "footer": wording["footer"]}, "sms": template["sms"]}


def _html_paragraph(paragraph: str) -> str:
    # free text typed by people keeps its line breaks; a document number stays on one line (a phone's mail app
    # showed "Q-" over "2026-00001"); everything else is already HTML-safe text
    return (paragraph.replace("{{ message }}", "{{ message|nl2br }}")
            .replace("{{ number }}", "{{ number|codes_whole }}").replace("\n", "<br>\n"))


def _source() -> dict:
    return tomllib.loads(resources.files(__package__).joinpath("template_defaults.toml").read_text("utf-8"))


def _defaults(source: dict) -> dict:
    locales, templates = source["locales"], source["templates"]
    return {name: {locale: _build(locale, locales[locale], templates[name][locale]) for locale in templates[name]}
            for name in TEMPLATE_NAMES}


def _button_labels(source: dict) -> dict:
    """{(name, locale): the labels of the built-in button, its own then its former ones} for the templates that
    have one."""
    return {(name, locale): (block["button"], *block.get("formerly", ())) for name in TEMPLATE_NAMES
            for locale, template in source["templates"][name].items()
            for block in template["blocks"] if isinstance(block, dict) and "button" in block}


_SOURCE = _source()
DEFAULTS = _defaults(_SOURCE)
BUTTON_LABELS = _button_labels(_SOURCE)
# per locale: how the plain text puts a label before its link, why the link is spelled out under a button, and
# the footer (a Jinja source: the license's name)
WORDING = {locale: {key: wording[key] for key in ("label_separator", "button_fallback", "footer")}
           for locale, wording in _SOURCE["locales"].items()}
