"""The lists' tables (macros.html ``table``): each cell names its column, so that on a phone, where a row is shown
as a block of lines (app.css), each line says what it is without the header above it."""
from __future__ import annotations

import re

from markupsafe import Markup, escape

# the tags that matter in a table's rows: its rows and cells, and a table inside a cell (whose cells are its own)
_TAG = re.compile(r"<(/?)(table|tr|td|th)\b([^>]*)>", re.IGNORECASE)
_COLSPAN = re.compile(r"""\bcolspan\s*=\s*["']?(\d+)""", re.IGNORECASE)


def column_label(label) -> str:
    """A column header's words as plain text (a header may be markup: a "select all" box and its words)."""
    return label.striptags() if isinstance(label, Markup) else str(label or "")


# the roles of a table's parts, said again: a phone shows rows as blocks (display: block), and some screen readers
# (Safari's) no longer take such a table for one unless its parts say what they are
_ROLES = {"tr": "row", "td": "cell", "th": "rowheader"}  # a th in the body heads its row (scope="row")


def labelled_cells(rows, columns) -> Markup:
    """The rows' markup (``rows``: the templates' own, in which every ``<`` of a text or an attribute value is
    escaped, so a ``<td`` is a cell) with each cell's column label, from ``columns`` [(key, label, numeric)], as
    its ``data-label``; a cell spanning columns takes its first one's, one already labelled keeps its own, one
    whose column has no words gets none. Each row and cell also gets its ARIA role (_ROLES) unless it has one."""
    markup, labels = str(rows), [column_label(label) for _key, label, _numeric in columns]
    out, depth, column, last = [], 0, 0, 0
    for tag in _TAG.finditer(markup):
        closing, name, attributes = tag.group(1), tag.group(2).lower(), tag.group(3)
        if name == "table":
            depth += -1 if closing else 1
            continue
        if depth or closing:
            continue
        added = "" if "role=" in attributes else f' role="{_ROLES[name]}"'
        if name == "tr":
            column = 0
        else:
            label = labels[column] if column < len(labels) else ""
            if label and "data-label" not in attributes:
                added += f' data-label="{escape(label)}"'
            span = _COLSPAN.search(attributes)
            column += int(span.group(1)) if span else 1
        out.append(markup[last:tag.end(2)] + added)
        last = tag.end(2)
    out.append(markup[last:])
    return Markup("".join(out))


def breakable_email(value) -> Markup:
    """An email address that a narrow cell wraps only after its "@" or a "." (a ``<wbr>`` there, the parts in
    between unbreakable, even at a "-"): "jeanne.dupont@" over "acme.test", never "jeanne.dupont@acm" over
    "e.test"; its text escaped, and copied as it is."""
    parts = re.split(r"(?<=[@.])(?=.)", str(value or ""))
    if len(parts) == 1:
        return escape(parts[0])
    return Markup("<wbr>").join(Markup('<span class="nowrap">%s</span>') % part for part in parts)
