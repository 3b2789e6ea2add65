"""French typography, for the tests of the texts a French reader sees (the staff app's catalog, the portal's,
the signing page's, the emails', the proof's): a line never breaks before : ; ! ? » nor after «, so the space
there is a no-break space, U+00A0 (not U+202F, which some PDF fonts and email clients lack)."""
from __future__ import annotations

import re

# a space other than U+00A0 before : ; ! ? » or after «
_BREAKABLE = re.compile(r"[^\S\u00a0](?=[:;!?»])|(?<=«)[^\S\u00a0]")
# Jinja is code, not text: "{% if action != 'approve' %}"
_JINJA = re.compile(r"\{\{.*?\}\}|\{%.*?%\}|\{#.*?#\}", re.S)


def breakable_spaces(text: str) -> list[str]:
    """Each place of ``text`` where a line may break before : ; ! ? » or after «, with its surroundings
    ("…de passe ?"); none in a well-written French text."""
    prose = _JINJA.sub(lambda m: "\0" * len(m.group()), text)  # the same length: the places stay right
    return [text[max(0, m.start() - 20):m.end() + 10] for m in _BREAKABLE.finditer(prose)]


def breakable_spaces_in(data, where: str = "") -> dict[str, list[str]]:
    """:func:`breakable_spaces` over every string of ``data`` (a string, or dicts and lists of them, as TOML
    reads), by the string's place ("templates.invitation.blocks[1]"); empty when all is well."""
    if isinstance(data, str):
        found = breakable_spaces(data)
        return {where: found} if found else {}
    items = data.items() if isinstance(data, dict) else enumerate(data) if isinstance(data, list) else ()
    out: dict[str, list[str]] = {}
    for key, value in items:
        out.update(breakable_spaces_in(value, f"{where}[{key}]" if isinstance(key, int) else
                                       f"{where}.{key}" if where else str(key)))
    return out
