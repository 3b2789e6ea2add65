"""French elides "de" before a name starting with a vowel or an h: "d'Anna", "de Paul"."""
import pytest

from paraph_platform.french import de


@pytest.mark.parametrize("name, read", [
    ("Anna", "d'Anna"),
    ("Immo Conseil", "d'Immo Conseil"),
    ("Hélène", "d'Hélène"),                 # a mute h
    ("Éric", "d'Éric"),                     # accented vowels too
    ("Œuvres Sociales", "d'Œuvres Sociales"),
    ("olivier", "d'olivier"),
    ("Paul", "de Paul"),
    ("ACME Industries", "d'ACME Industries"),
    ("3M France", "de 3M France"),
    ("", "de "),
    (None, "de "),
])
def test_de_elides_before_a_vowel_or_an_h(name, read):
    assert de(name) == read
