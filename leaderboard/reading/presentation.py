"""How a result reads, in one place: its figure and uncertainty as pages round them
and as exports store them, whose claim it is, how it was measured, the marks a table's
cell carries, and its JSON numbers. Tables, charts, templates (through the ``reading``
template tags), the changes page, the feed, the API and the exports all ask here, so a
figure reads the same wherever it appears.

Nothing here reads the database or decides anything: the rules (what a quote states,
places, what is comparable) live in ``leaderboard.rules``."""

import html
from decimal import ROUND_HALF_UP, Decimal

from django.utils.html import format_html
from django.utils.safestring import SafeString, mark_safe

from ..rules import run_settings
from ..rules.quotes import STORED_PLACES


def escape_text(text):
    """Text (or a number) escaped for HTML that a page builds with f-strings and marks
    safe once whole (``SafeString``): the characters ``django.utils.html.escape``
    escapes, escaped the same way (it is ``html.escape(str(text))``), as a plain string
    and without its check of each argument for a lazy translation, which cost six
    times the escaping: a cold home page escapes about 3,000 names, figures and
    addresses. (``mark_safe`` and ``format_html`` make the same check, so a table's
    cells are marked with ``SafeString`` itself.)"""
    return html.escape(str(text))


def html_of(value):
    """A table cell's HTML: what is marked safe (``__html__``) as it is, anything
    else escaped (``django.utils.html.conditional_escape``, without its check for a
    lazy translation)."""
    as_html = getattr(value, "__html__", None)
    return as_html() if as_html is not None else escape_text(value)


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


def uncertainty_text(stderr, ci_low, ci_high):
    """A value's uncertainty as the source gives it (stored, not rounded): "± 1.2" for
    a standard error, "[35, 39]" for a confidence interval, both when it gives both;
    "" for none."""
    parts = []
    if stderr is not None:
        parts.append(f"± {format_number(stderr)}")
    if ci_low is not None:
        parts.append(f"[{format_number(ci_low)}, {format_number(ci_high)}]")
    return " ".join(parts)


def json_number(value):
    """A stored decimal as a JSON number: whole numbers as integers, others as the
    float that prints back the same digits (a value has at most 15 significant
    digits, which a float keeps exactly)."""
    if value is None:
        return None
    return int(value) if value == value.to_integral_value() else float(value)


# Whose a result is, in words. One apostrophe (’) on every page, export and feed;
# the short form where space is tight (summary tiles, an export's cell).
CLAIM_WORDS = "{}’s claim"
UNNAMED_CLAIM = "A vendor’s claim"
INDEPENDENT = "Independently measured"
INDEPENDENT_SHORT = "independent"


def whose(is_vendor_claim, claimer, short=False):
    """Whose a result is, as a line of text: "NVIDIA’s claim", "A vendor’s claim"
    where the claimer is gone, else "Independently measured" ("independent" when
    ``short``)."""
    if not is_vendor_claim:
        return INDEPENDENT_SHORT if short else INDEPENDENT
    return CLAIM_WORDS.format(claimer) if claimer else UNNAMED_CLAIM


def whose_html(is_vendor_claim, claimer, short=False):
    """``whose`` for a page: a claim marked (class "claim"), the claimer's name
    isolated (``<bdi>``) so its direction cannot reach the words around it; an
    independent measurement marked "measured"."""
    if not is_vendor_claim:
        return format_html('<span class="measured">{}</span>', whose(False, None, short))
    if not claimer:
        return format_html('<span class="claim">{}</span>', UNNAMED_CLAIM)
    return format_html('<span class="claim" dir="ltr"><bdi>{}</bdi>’s claim</span>', claimer)


def claim_text(is_vendor_claim, claimer, source_title, settings=None):
    """Whose claim a result is, its source, and how it was measured where the source
    says (``settings``: an object with ``run_settings.SETTINGS``' fields), in one line
    of an export: "NVIDIA’s claim; <title>" or "independent; <title>; acc_norm,
    25-shot, bfloat16"."""
    measured = run_settings.description(settings) if settings is not None else ""
    return f"{whose(is_vendor_claim, claimer, short=True)}; {source_title}" + (
        f"; {measured}" if measured else ""
    )


# A table cell with no result.
NO_RESULT = mark_safe('<span class="no-result" title="No result reported">—</span>')
# A place its result does not get: measured otherwise than the benchmark ranks.
NOT_PLACED = mark_safe(
    '<span class="no-result" title="Not ranked: its result is measured otherwise than '
    'the benchmark ranks">—</span>'
)
# A place no source gives: the benchmark's direction is not reported, so places are
# only those sources state, and this result's source states none.
NO_PLACE_STATED = mark_safe(
    '<span class="no-result" title="No place: no source states whether higher or lower '
    "is better on this benchmark, and this result's source states no place\">—</span>"
)


def humanize_count(number):
    """A shortened count ("128B") with the exact number in its title. (Cells are built
    with f-strings from numbers and escaped text: format_html in every cell cost a
    tenth of a page.)"""
    return SafeString(f'<span title="{number:,}">{short_count(number)}</span>')


def uncertainty_html(shown):
    """A figure's uncertainty as pages round it (``shown_figures``' second part) after
    the figure, or "" for none."""
    return f' <small class="uncertainty">{escape_text(shown)}</small>' if shown else ""


def figure_html(value_text, uncertainty_text, href=None):
    """A figure as pages show it, with its uncertainty, linked to the passage of its
    source that states it where ``href`` is given."""
    figure = escape_text(value_text)
    if href is not None:
        figure = (
            f'<a class="figure" href="{escape_text(href)}" title="Where the source states it">'
            f"{figure}</a>"
        )
    return SafeString(figure + uncertainty_html(uncertainty_text))


def shots_note(shots):
    """How many solved examples the prompt held ("5-shot"), where its source says."""
    if shots is None:
        return ""
    return (
        ' <small class="shots" title="How many solved examples the prompt held, as the '
        f'source states it">{shots}-shot</small>'
    )


def tie_mark(best, placed="results"):
    """Marks a place that its uncertainty ties with those above ("≈ #1"): where its
    interval overlaps those of the ``placed`` (results, averages) from place ``best``."""
    return SafeString(
        f' <small class="tied" title="Its interval overlaps those of the {placed} placed '
        f'from #{best}: statistically tied with them">≈ #{best}</small>'
    )


def not_ranked_mark(differences):
    """Marks compactly, in a table's cell, a figure its benchmark does not rank
    ("not ranked"), what keeps it out on hover (``differences``: "0-shot, not
    10-shot"): it stands beside ranked figures but has no place among them."""
    why = "; ".join(differences) or "measured otherwise than the benchmark ranks"
    return SafeString(
        f' <small class="differs" title="Not ranked: {html_of(why)}. It has no place among '
        'the results measured as the benchmark ranks">not ranked</small>'
    )


def claim_badge(is_vendor_claim, claimer, source_title):
    """Marks a vendor's claim compactly in a table's cell ("claim"), whose it is and
    its source on hover, and read out in full ("NVIDIA’s claim") by a screen reader: a
    claimer's full name in every cell is what made five columns 2,600 px wide. The
    legend under the table says what the mark means; the detail pages name the
    claimer (``whose_html``)."""
    if not is_vendor_claim:
        return ""
    return SafeString(
        f' <small class="claim" title="{html_of(whose(True, claimer))}. Source: '
        f'{html_of(source_title)}"><span class="visually-hidden">{html_of(claimer)}’s '
        "</span>claim</small>"
    )
