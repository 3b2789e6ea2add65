"""French wording the web app and the emails share.

French elides "de" before a word starting with a vowel or a mute h: "l'accès portail d'Anna", "le portail
client d'Immo Conseil", but "de Paul". The rule looks at the first letter only: a vowel (accented or not) or an
h; an aspirated h ("de Hoche") or a "y" sounded as a vowel ("d'Yves") is the rare exception it gets wrong.
"""

_ELIDING = frozenset("aeiouhàâäéèêëîïôöùûüœæ")


def de(name) -> str:
    """``name`` after French "de": "d'Anna", "d'Hélène", "d'Immo Conseil", "de Paul"; "de " of an empty name."""
    text = "" if name is None else str(name)
    return f"d'{text}" if text[:1].lower() in _ELIDING else f"de {text}"
