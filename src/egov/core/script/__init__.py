"""Kazakh script converter: Cyrillic <-> Latin (2018 and 2021 alphabets). Pure Python.

>>> to_latin("Қазақстан Республикасы", "2018")
'Qazaqstan Respýblıkasy'
>>> to_latin("Бір данышпан кісі")
'Bır danyşpan kısı'
>>> to_cyrillic("Qazaqstan Respýblıkasy", "2018")
'Қазақстан Республикасы'
>>> to_latin_html('<p lang="kk" class="Ш">Шығыс</p>', "2018")
'<p lang="kk-Latn" class="Ш">Shyǵys</p>'
>>> result = convert("Ҳа, ӯ", "2021")  # Tajik letters pass through and are counted
>>> result.text, result.unknown_count
('Ҳa, ӯ', 2)

See docs/kazakh-script.md.
"""

from __future__ import annotations

from .cyrillic import convert as convert_to_cyrillic
from .cyrillic import to_cyrillic
from .latin import Conversion, convert, to_latin
from .markup import convert_html, to_latin_html
from .tables import ALPHABETS, DEFAULT_ALPHABET, Alphabet

__all__ = [
    "ALPHABETS",
    "DEFAULT_ALPHABET",
    "Alphabet",
    "Conversion",
    "convert",
    "convert_html",
    "convert_to_cyrillic",
    "to_cyrillic",
    "to_latin",
    "to_latin_html",
]
