"""Display forms of official region names: "KOTA CILEGON" → "Kota Cilegon",
"KAB. ADM. KEP. SERIBU" → "Kabupaten Administrasi Kepulauan Seribu"."""

import re

# Abbreviations in the official file, written out as people say them.
ABBREVIATIONS = {
    "KAB.": "Kabupaten",
    "KAB": "Kabupaten",
    "ADM.": "Administrasi",
    "KEP.": "Kepulauan",
}
KEEP_UPPER = {"DKI"}
ROMAN = re.compile(r"^(?=[IVXLC]+$)C{0,3}(XC|XL|L?X{0,3})(IX|IV|V?I{0,3})$")
WORD = re.compile(r"[A-Za-z]+(?:'[A-Za-z]+)?")


def _capitalize_word(match: re.Match) -> str:
    word = match.group(0)
    if word.upper() in KEEP_UPPER or ROMAN.match(word.upper()):
        return word.upper()
    return word.capitalize()


def display_name(name: str) -> str:
    """Names written in capitals (provinces, regencies) become title case with the usual
    abbreviations written out; names already in mixed case (districts, villages) are kept."""
    name = " ".join(name.split())
    if name != name.upper():
        return name
    words = [ABBREVIATIONS.get(word, word) for word in name.split(" ")]
    return WORD.sub(_capitalize_word, " ".join(words))
