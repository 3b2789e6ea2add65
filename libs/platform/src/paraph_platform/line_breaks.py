"""Document numbers kept on one line, on every page and in every email.

Browsers and mail clients break a line after a hyphen: a phone showed "Devis Q-2026-" over "00001", a consent
sentence "Q-" over "2026-00001". The staff pages, the signing page and the emails wrap each number in an element
that does not wrap (a ``nowrap`` class where the page has a stylesheet, an inline style in an email)."""
from __future__ import annotations

import re

# a hyphenated code holding a digit: a document number ("Q-2026-00001", "FAC-12"), not a word ("Jean-Pierre")
_HYPHENATED_CODE = re.compile(r"(?<![\w-])(?=[\w-]*\d)\w+(?:-\w+)+")

NOWRAP_CLASS = '<span class="nowrap">{}</span>'
NOWRAP_STYLE = '<span style="white-space:nowrap">{}</span>'  # an email: no stylesheet of its own


def codes_whole(html: str, nowrap: str = NOWRAP_CLASS) -> str:
    """``html`` (text already escaped) with each document number in ``nowrap``; the caller marks the result safe."""
    return _HYPHENATED_CODE.sub(lambda code: nowrap.format(code.group(0)), str(html))
