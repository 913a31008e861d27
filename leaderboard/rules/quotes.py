"""Reading figures out of quoted text, so every number we store can be checked
against the words of the source that states it."""

import hashlib
import re
from decimal import Decimal, InvalidOperation

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
    """Collapse runs of whitespace, so a quote matches across line breaks. A text
    whose only whitespace is single spaces (most quotes: every other whitespace
    character is unprintable) is only stripped: an export makes the anchor of each of
    330,000 quotes, and the substitution cost more than the hash."""
    if text.isprintable() and "  " not in text:
        return text.strip()
    return WHITESPACE.sub(" ", text).strip()


WHITESPACE = re.compile(r"\s+")


def quote_anchor(quote):
    """The mark of a quote's passage on its source's page: "q-" and the start of the
    SHA-256 of the quote as the quote rule reads it (runs of whitespace as one space),
    so identical quotes share one. A result keeps its quote's (``Result.quote_anchor``):
    an export gives 330,000 passages, and hashing each took a tenth of its time."""
    return "q-" + hashlib.sha256(normalize_space(quote).encode()).hexdigest()[:12]


def numbers_in(text):
    """The set of numbers (as Decimals) that a text states, scale words applied:
    "128 billion" gives 128000000000, "37 points" gives 37."""
    return {_number(match) for match in NUMBER.finditer(text)}


# Places written with a sign or a word before the number: "#2", "No. 1", "ranked 3",
# "place 2".
PLACE_NUMBER = re.compile(
    r"(?:#\s*|\bno\.\s*|\b(?:rank(?:ed)?|place[d]?|position)\s+(?:no\.\s*|number\s+)?)(\d+)\b",
    re.IGNORECASE,
)

# Words by which a quote says that someone other than the source measured or states
# a figure: such a result is that someone's claim, not an independent measurement.
ATTRIBUTION = re.compile(
    r"\b(claim(?:s|ed)?|says|said|according to|announce[sd]|asserts?|boasts?)\b",
    re.IGNORECASE,
)

VALUE, PLACE = "value", "place"


# Figures are stored to this many decimal places (``Result``'s decimal fields).
STORED_PLACES = Decimal("0.000001")


def stored_figure(number, as_percentage=False):
    """A number a quote states as it is stored: times 100 where a fraction (0.6561)
    is stored as a percentage (65.61), rounded to the stored decimal places."""
    if as_percentage:
        number *= 100
    return number.quantize(STORED_PLACES)


def any_is(numbers, stored, as_percentage=False):
    """Whether one of ``numbers`` (as a quote states them) is the figure ``stored``
    (see ``stored_figure``)."""
    for number in numbers:
        try:
            if stored_figure(number, as_percentage) == stored:
                return True
        except InvalidOperation:  # more digits than any stored figure holds
            continue
    return False


def states(text, stored, as_percentage=False):
    """Whether the text states the figure ``stored``."""
    return any_is(numbers_in(text), stored, as_percentage)


def places_with_spans(text):
    """Each place the text states, as ((start, end), place), in order of position."""
    found = []
    for match in ORDINAL.finditer(text):
        word, digits = match.groups()
        found.append((match.span(), ORDINAL_WORDS[word.lower()] if word else int(digits)))
    for match in PLACE_NUMBER.finditer(text):
        found.append((match.span(), int(match.group(1))))
    return sorted(found)


def ranks_in(text):
    """The set of places a text states: "ranked first", "3rd", "#2", "ranked 4"."""
    return {place for _, place in places_with_spans(text)}


def figures_in(text):
    """Every figure a text states, in order: ((start, end), kind, number), where kind
    is VALUE for a plain number and PLACE for a place. A number that is part of a
    place ("#2", "3rd") counts as the place only."""
    places = places_with_spans(text)
    figures = [(span, PLACE, Decimal(place)) for span, place in places]
    for match in NUMBER.finditer(text):
        if not any(_overlap(match.span(), span) for span, _ in places):
            figures.append((match.span(), VALUE, _number(match)))
    return sorted(figures)


def mentions(text, names):
    """The spans where the text names one of ``names``: whole words, any case, runs
    of whitespace read as one space."""
    text = normalize_space(text)
    spans = []
    for name in {normalize_space(n) for n in names if n and n.strip()}:
        pattern = r"(?<!\w)" + re.escape(name) + r"(?!\w)"
        spans.extend(m.span() for m in re.finditer(pattern, text, re.IGNORECASE))
    return sorted(spans)


def tied_figures(text, names, kind, ignore=()):
    """The figures of ``kind`` that the text ties to one of ``names``: for each place
    the text names it, the nearest figure of that kind (counted in characters between
    them; both on a tie), leaving out figures inside a name (the "3" of "Nemotron 3
    Super") or inside ``ignore``'s names (a benchmark's "2025"). None when the text
    names none of ``names``."""
    text = normalize_space(text)
    named = mentions(text, names)
    if not named:
        return None
    inside = named + mentions(text, ignore)
    figures = [
        (span, number)
        for span, figure_kind, number in figures_in(text)
        if figure_kind == kind and not any(_overlap(span, name) for name in inside)
    ]
    tied = set()
    for mention in named:
        distances = [(_gap(span, mention), number) for span, number in figures]
        if distances:
            nearest = min(distance for distance, _ in distances)
            tied.update(number for distance, number in distances if distance == nearest)
    return tied


def attribution_in(text):
    """The word by which a text attributes what it states to someone ("claims",
    "says"), or None."""
    match = ATTRIBUTION.search(text)
    return match.group(1) if match else None


# Numbers of shots written as words: "zero-shot", "five-shot".
SHOT_WORDS = {
    "zero": 0,
    "one": 1,
    "two": 2,
    "three": 3,
    "four": 4,
    "five": 5,
    "six": 6,
    "seven": 7,
    "eight": 8,
    "nine": 9,
    "ten": 10,
}
# "5-shot", "5 shot", "5shot", "five-shot", "25-shots", any case; a whole number, not
# the end of a bigger one (the "5" of "25-shot" or "0.5-shot", the "five" of
# "twenty-five-shot").
SHOTS = re.compile(
    r"(?:(?<![\w.,])(\d+)|(?<![\w-])(" + "|".join(SHOT_WORDS) + r"))[\s\-\u2010\u2011]?shots?\b",
    re.IGNORECASE,
)
# The most shots a result stores (``Result.shots``, a small positive integer).
MAX_SHOTS = 32767


def shots_in(text):
    """The set of numbers of shots a text states: "5-shot" and "five-shot" give 5."""
    return {
        int(digits) if digits else SHOT_WORDS[word.lower()]
        for digits, word in SHOTS.findall(text or "")
    }


def shots_count(value):
    """A number of shots as a file gives it (a JSON whole number from 0 up), or None
    for anything else (5.5, -1, "5", true)."""
    if isinstance(value, int) and not isinstance(value, bool) and 0 <= value <= MAX_SHOTS:
        return value
    return None


def _number(match):
    whole, fraction, scale = match.groups()
    number = Decimal(whole.replace(",", "") + (f".{fraction}" if fraction else ""))
    if scale:
        number *= SCALES[scale.lower()]
    return number


def _overlap(a, b):
    return a[0] < b[1] and b[0] < a[1]


def _gap(a, b):
    """Characters between two spans that do not overlap (one of the two differences is
    the gap, the other negative)."""
    return max(a[0] - b[1], b[0] - a[1])
