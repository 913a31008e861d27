"""Reading figures out of quoted text, so every number we store can be checked
against the words of the source that states it."""

import re
from decimal import Decimal

SCALES = {
    "thousand": Decimal(10) ** 3,
    "million": Decimal(10) ** 6,
    "billion": Decimal(10) ** 9,
    "trillion": Decimal(10) ** 12,
}

ORDINAL_WORDS = {
    "first": 1,
    "second": 2,
    "third": 3,
    "fourth": 4,
    "fifth": 5,
    "sixth": 6,
    "seventh": 7,
    "eighth": 8,
    "ninth": 9,
    "tenth": 10,
}

# "37", "1,000,000", "178.8", optionally followed by a scale word: "128 billion",
# "550-billion-parameter"; a minus sign only where it starts a word ("-1", not the
# dash in "GPT-4"). Digits glued after letters ("H100") are names, skipped.
NUMBER = re.compile(
    r"(?<![\w.])(-?\d{1,3}(?:,\d{3})+|-?\d+)(?:\.(\d+))?"
    r"(?:[\s-]+(thousand|million|billion|trillion)\b)?",
    re.IGNORECASE,
)
ORDINAL = re.compile(
    r"\b(?:(" + "|".join(ORDINAL_WORDS) + r")|(\d+)(?:st|nd|rd|th))\b",
    re.IGNORECASE,
)


def normalize_space(text):
    """Collapse runs of whitespace, so a quote matches across line breaks."""
    return re.sub(r"\s+", " ", text).strip()


def numbers_in(text):
    """The set of numbers (as Decimals) that a text states, scale words applied:
    "128 billion" gives 128000000000, "37 points" gives 37."""
    found = set()
    for match in NUMBER.finditer(text):
        whole, fraction, scale = match.groups()
        number = Decimal(whole.replace(",", "") + (f".{fraction}" if fraction else ""))
        if scale:
            number *= SCALES[scale.lower()]
        found.add(number)
    return found


def ranks_in(text):
    """The set of places a text states: "ranked first" or "3rd" or "#2"."""
    found = set()
    for match in ORDINAL.finditer(text):
        word, digits = match.groups()
        found.add(ORDINAL_WORDS[word.lower()] if word else int(digits))
    found.update(int(m) for m in re.findall(r"#\s*(\d+)\b", text))
    return found


def format_number(value):
    """A Decimal as people write it: no trailing zeros, no exponent (37, 37.5)."""
    if value is None:
        return ""
    return f"{Decimal(value).normalize():f}"


def short_count(number):
    """A count as people say it: 128000000000 as "128B", 131072 as "131.1K"."""
    for size, suffix in ((10**12, "T"), (10**9, "B"), (10**6, "M"), (10**3, "K")):
        if number >= size:
            return format_number((Decimal(number) / size).quantize(Decimal("0.1"))) + suffix
    return f"{number:,}"
