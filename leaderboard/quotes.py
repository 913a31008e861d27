"""Reading figures out of quoted text, so every number we store can be checked
against the words of the source that states it."""

import re
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

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


def format_number(value):
    """A Decimal as people write it: no trailing zeros, no exponent (37, 37.5)."""
    if value is None:
        return ""
    return f"{Decimal(value).normalize():f}"


def figure_text(value, rank):
    """A result's figure as the site writes it: the value as the source writes it,
    else the place alone ("#1")."""
    if value is not None:
        return format_number(value)
    return f"#{rank}"


def shown_figures(value, stderr, ci_low, ci_high):
    """A value and its uncertainty as pages show them: (value text, uncertainty text),
    the uncertainty written "± 0.38", "[81.34, 82.83]", or both, "" for none.

    The rule: the figure that sets the precision is the standard error, or, where
    there is none (or it is 0), half the confidence interval's width. It is rounded to
    2 significant figures, and the value and both ends of the interval to that same
    decimal place, keeping the zeros the rounding implies: 82.085242 ± 0.382692 shows
    "82.09 ± 0.38", 62.201365 ± 1.416966 "62.2 ± 1.4", 0.5 ± 0.12 "0.50 ± 0.12",
    12.345678 ± 51 "12 ± 51". Where rounding carries into a third figure (± 0.996)
    the place moves up one (± 1.0). Never finer than the stored figures' own place
    (``STORED_PLACES``, 6 decimals): pages never show more digits than are stored.
    Rounding is half up (away from zero at a half: 0.125 gives 0.13, -0.125 gives
    -0.13), in Decimal arithmetic; a value that rounds to zero shows no minus sign.
    A value with no uncertainty (none given, or 0) shows exactly as stored
    (``format_number``: 37 stays "37"), as does a standard error of 0 ("± 0").

    Pages only: exports, the API, the admin, the quote rules and messages read the
    stored figures (``figure_text``, ``format_number``)."""
    if value is None:
        return "", ""
    value = Decimal(value)
    spread = None
    if stderr is not None and stderr > 0:
        spread = Decimal(stderr)
    elif ci_low is not None and ci_high is not None and ci_high > ci_low:
        spread = (Decimal(ci_high) - Decimal(ci_low)) / 2
    if spread is None:
        place = None
        shown = format_number
    else:
        place = _two_figures_place(spread)

        def shown(number):
            rounded = Decimal(number).quantize(place, rounding=ROUND_HALF_UP)
            if rounded.is_zero():
                rounded = rounded.copy_abs()  # "0.00", not "-0.00"
            return f"{rounded:f}"

    parts = []
    if stderr is not None:
        parts.append(f"± {shown(stderr) if stderr > 0 else format_number(stderr)}")
    if ci_low is not None and ci_high is not None:
        parts.append(f"[{shown(ci_low)}, {shown(ci_high)}]")
    return shown(value), " ".join(parts)


def _two_figures_place(spread):
    """The decimal place (as a Decimal quantum: 0.01) at which ``spread`` (> 0) shows
    2 significant figures once rounded, never finer than ``STORED_PLACES``."""
    place = max(Decimal(1).scaleb(spread.adjusted() - 1), STORED_PLACES)
    rounded = spread.quantize(place, rounding=ROUND_HALF_UP)
    if rounded.adjusted() > spread.adjusted():
        # 0.996 rounds to 1.00: three figures; 2 figures are "1.0".
        place = max(Decimal(1).scaleb(rounded.adjusted() - 1), STORED_PLACES)
    return place


def short_count(number):
    """A count as people say it: 128000000000 as "128B", 131072 as "131.1K"."""
    for size, suffix in ((10**12, "T"), (10**9, "B"), (10**6, "M"), (10**3, "K")):
        if number >= size:
            return format_number((Decimal(number) / size).quantize(Decimal("0.1"))) + suffix
    return str(number)
