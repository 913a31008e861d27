"""Charts drawn on the server as inline SVG: no script, no outside asset, readable
without JavaScript. Each has a title and a description that states every figure,
and colours come from the stylesheet (classes only), so both themes apply."""

import math
from dataclasses import dataclass, field
from datetime import date

from django.urls import reverse
from django.utils.html import format_html
from django.utils.safestring import mark_safe

from ..models import Provenance
from ..models.results import interval_of
from .presentation import escape_text, short_count, shown_figures, whose

# The scatter plots at most this many models (the best on the benchmark) and names
# those of the first LABELLED whose names do not overlap a better one's beside their
# points; every point has its name on hover.
MAX_POINTS = 200
LABELLED = 15
# The bar chart draws the top of a ranking: the widths of its names, bars and values,
# and the height of a row, in its units (pixels on a wide screen).
MAX_BARS = 25
BAR_LAYOUT = (200, 180, 80, 28)


@dataclass
class Chart:
    svg: str
    summary: str
    notes: list = field(default_factory=list)


def svg_frame(chart_id, width, height, title, description, body, linked=False):
    """An SVG drawn at its own size (``width`` units, one pixel each), shrunk to fit a
    narrower screen: the units are chosen to keep its text readable on a phone. A
    chart whose points are links (``linked``) is not an image: an image's content is
    hidden from assistive technology, links and all (axe's nested-interactive). It
    keeps an svg's own role, a graphics document (HTML allows an svg no "group")."""
    return format_html(
        '<svg class="chart" viewBox="0 0 {w} {h}" width="{w}"{role} '
        'aria-labelledby="{id}-title {id}-desc" xmlns="http://www.w3.org/2000/svg">'
        '<title id="{id}-title">{title}</title><desc id="{id}-desc">{desc}</desc>{body}</svg>',
        role="" if linked else mark_safe(' role="img"'),
        w=width,
        h=height,
        id=chart_id,
        title=title,
        desc=description,
        body=body,
    )


def claim_note(point):
    """(NVIDIA's claim)" for a vendor's claim, else nothing."""
    if point["provenance"] == Provenance.VENDOR_CLAIM:
        return f" ({whose(True, point['claimer'])})"
    return ""


def point_interval(point):
    """A chart point's interval as floats (see ``Result.interval``), or None."""
    found = interval_of(
        point["score_value"],
        point.get("score_stderr"),
        point.get("score_ci_low"),
        point.get("score_ci_high"),
    )
    return None if found is None else (float(found[0]), float(found[1]))


def shown_value(point):
    """A point's value as pages show it, rounded to what its uncertainty supports
    (``presentation.shown_figures``)."""
    return point_figures(point)[0]


def uncertainty_note(point):
    """ " ± 1.2", " [35, 39]" or both, rounded as pages write it (``shown_figures``),
    for a point whose source gives an uncertainty; "" otherwise."""
    text = point_figures(point)[1]
    return f" {text}" if text else ""


def point_figures(point):
    """A point's (value, uncertainty) texts as pages round them, worked out once per
    point: a chart writes them into its bars or dots, labels and description."""
    figures = point.get("shown_figures")
    if figures is None:
        figures = point["shown_figures"] = shown_figures(
            point["score_value"],
            point.get("score_stderr"),
            point.get("score_ci_low"),
            point.get("score_ci_high"),
        )
    return figures


def bars(points, benchmark):
    """Horizontal bars, one per model with a value, in the order given (the ranking's).
    ``points``: dicts with name, score_value, score_rank, provenance, claimer. Results
    that give only a place cannot be bars; they are listed as notes."""
    valued = [p for p in points if p["score_value"] is not None]
    placed = [p for p in points if p["score_value"] is None and p["score_rank"] is not None]
    if not valued and not placed:
        return None

    label_width, bar_width, value_width, row_height = BAR_LAYOUT
    width = label_width + bar_width + value_width
    height = max(1, len(valued)) * row_height + 8
    values = [float(p["score_value"]) for p in valued]
    # The axis holds every error bar too.
    values += [end for p in valued if (bounds := point_interval(p)) for end in bounds]
    # A bound of 0 is a bound: compare with None, not truthiness.
    bounds_min = [] if benchmark.scale_min is None else [float(benchmark.scale_min)]
    bounds_max = [] if benchmark.scale_max is None else [float(benchmark.scale_max)]
    low = min([0.0, *values, *bounds_min])
    high = max([*values, low + 1, *bounds_max])
    span = high - low or 1.0
    unit = f" {benchmark.unit}" if benchmark.unit else ""

    rows = []
    for i, point in enumerate(valued):
        y = 4 + i * row_height
        x0 = label_width + (0 - low) / span * bar_width
        x1 = label_width + (float(point["score_value"]) - low) / span * bar_width
        bounds = point_interval(point)
        error_bar, value_x = "", max(x0, x1)
        if bounds:
            left, right = (label_width + (end - low) / span * bar_width for end in bounds)
            middle = y + row_height / 2 - 1
            error_bar = (
                f'<path class="chart-error" d="M{left:.1f} {middle:.1f}H{right:.1f}'
                f"M{left:.1f} {middle - 5:.1f}V{middle + 5:.1f}"
                f'M{right:.1f} {middle - 5:.1f}V{middle + 5:.1f}"/>'
            )
            value_x = max(value_x, right)  # the value is written past its error bar
        rows.append(
            format_html(
                '<g class="chart-row"><title>{name}: {value}{uncertainty}{unit}{claim}</title>'
                '<text class="chart-label" x="{lx}" y="{ty}" text-anchor="end">{name}</text>'
                '<rect class="chart-bar{vendor}" x="{x}" y="{y}" width="{bw}" height="{bh}"/>'
                "{error_bar}"
                '<text class="chart-value" x="{vx}" y="{ty}">{value}</text></g>',
                name=point["name"],
                value=shown_value(point),
                uncertainty=uncertainty_note(point),
                error_bar=mark_safe(error_bar),
                unit=unit,
                claim=claim_note(point),
                lx=label_width - 8,
                ty=f"{y + row_height * 0.62:.1f}",
                vendor=" vendor" if claim_note(point) else "",
                x=f"{min(x0, x1):.1f}",
                y=y + 3,
                bw=f"{max(abs(x1 - x0), 1):.1f}",
                bh=row_height - 8,
                vx=f"{value_x + 6:.1f}",
            )
        )
    description = "; ".join(
        f"{p['name']}: {shown_value(p)}{uncertainty_note(p)}{unit}{claim_note(p)}" for p in valued
    )
    notes = [
        f"{p['name']}: ranked #{p['score_rank']}, no score given{claim_note(p)}." for p in placed
    ]
    order = (
        "best first"
        if benchmark.higher_is_better is not None
        else "highest first (direction not reported)"
    )
    svg = (
        svg_frame(
            f"bars-{benchmark.slug}",
            width,
            height,
            f"{benchmark.name}: the top {len(valued)}, {order}",
            description,
            mark_safe("".join(rows)),
        )
        if valued
        else ""
    )
    return Chart(svg=svg, summary=description, notes=notes)


# About how wide a character of a point's label is, in the chart's units.
LABEL_CHARACTER_WIDTH = 7.5


def label_box(name, x, y, width):
    """Where a point's label goes: (left, top, right, bottom), to the right of the
    point, or to its left where it would run past the chart's edge."""
    length = len(name) * LABEL_CHARACTER_WIDTH
    left = x + 8 if x + 8 + length <= width else x - 8 - length
    return (left, y - 20, left + length, y - 4)


def overlaps(a, b):
    return a[0] < b[2] and b[0] < a[2] and a[1] < b[3] and b[1] < a[3]


# Fewer points than this are said in words: a chart of one or two shows no trend.
MIN_SCATTER_POINTS = 3


@dataclass
class Axis:
    """What a scatter's x axis plots: ``position(point)`` (a number), ``ticks(low,
    high)`` ((position, label) pairs), the ``title``, ``bounds(positions)`` (the
    axis's low and high) and ``says(point)`` (the point's x in words)."""

    name: str
    title: str
    position: object
    ticks: object
    bounds: object
    says: object


def log_bounds(positions):
    low, high = math.floor(min(positions)), math.ceil(max(positions))
    return (low, high + 1) if high == low else (low, high)


ACTIVE_PARAMETERS = Axis(
    name="active parameter count",
    title="Active parameters (log scale)",
    position=lambda p: math.log10(p["active_parameters"]),
    ticks=lambda low, high: [(power, short_count(10**power)) for power in range(low, high + 1)],
    bounds=log_bounds,
    says=lambda p: f"{short_count(p['active_parameters'])} active parameters",
)


def date_bounds(positions):
    """From the first of January before the earliest date to the one after the last."""
    low = date.fromordinal(min(positions)).replace(month=1, day=1).toordinal()
    high = date.fromordinal(max(positions)).replace(
        year=date.fromordinal(max(positions)).year + 1, month=1, day=1
    )
    return low, high.toordinal()


def date_ticks(low, high):
    """The first of January of each year on the axis, or of every other month when
    the axis spans a year or two."""
    first, last = date.fromordinal(low), date.fromordinal(high)
    months = 12 if last.year - first.year > 2 else 2
    ticks, day = [], first
    while day <= last:
        ticks.append((day.toordinal(), str(day.year) if day.month == 1 else f"{day:%b}"))
        month = day.month - 1 + months
        day = day.replace(year=day.year + month // 12, month=month % 12 + 1)
    return ticks


RELEASE_DATE = Axis(
    name="release date",
    title="Release date",
    position=lambda p: p["release_date"].toordinal(),
    ticks=date_ticks,
    bounds=date_bounds,
    says=lambda p: f"released {p['release_date']:%-d %b %Y}",
)


def scatter(points, benchmark, axis=ACTIVE_PARAMETERS):
    """Each model's score on ``benchmark`` against ``axis`` (by default its active
    parameters, on a log scale). ``points``: dicts with name, slug, score_value,
    provenance, claimer and what the axis reads, best first."""
    if not points:
        return Chart(
            svg="",
            summary="",
            notes=[
                f"No model shown has both a score on {benchmark.name} and a reported "
                f"{axis.name}, so there is nothing to plot."
            ],
        )
    unit = f" {benchmark.unit}" if benchmark.unit else ""
    if len(points) < MIN_SCATTER_POINTS:
        # A scatter of one or two points shows no trend: say them in words instead.
        listed = "; ".join(f"{p['name']}: {shown_value(p)}{unit}, {axis.says(p)}" for p in points)
        return Chart(
            svg="",
            summary="",
            notes=[
                f"Only {len(points)} model{'s' if len(points) > 1 else ''} shown "
                f"{'have' if len(points) > 1 else 'has'} both a score on {benchmark.name} "
                f"and a reported {axis.name}, too few for a chart to show a trend: {listed}."
            ],
        )
    width, height = 520, 320
    left, right, top, bottom = 56, 16, 16, 48
    xs = [axis.position(p) for p in points]
    ys = [float(p["score_value"]) for p in points]
    x_low, x_high = axis.bounds(xs)
    intervals = [point_interval(p) for p in points]
    ends = [end for bounds in intervals if bounds for end in bounds]
    y_low, y_high = min(ys + ends), max(ys + ends)
    pad = (y_high - y_low) * 0.1 or max(abs(y_high) * 0.1, 1.0)
    y_low, y_high = y_low - pad, y_high + pad

    def px(x):
        return left + (x - x_low) / (x_high - x_low) * (width - left - right)

    def py(y):
        return top + (y_high - y) / (y_high - y_low) * (height - top - bottom)

    axes = [
        format_html(
            '<line class="chart-axis" x1="{l}" y1="{b}" x2="{r}" y2="{b}"/>'
            '<line class="chart-axis" x1="{l}" y1="{t}" x2="{l}" y2="{b}"/>'
            '<text class="chart-axis-label" x="{cx}" y="{ly}" text-anchor="middle">'
            "{x_title}</text>"
            '<text class="chart-axis-label" x="14" y="{cy}" text-anchor="middle" '
            'transform="rotate(-90 14 {cy})">{name}</text>',
            l=left,
            r=width - right,
            t=top,
            b=height - bottom,
            cx=f"{(left + width - right) / 2:.1f}",
            ly=height - 10,
            cy=f"{(top + height - bottom) / 2:.1f}",
            x_title=axis.title,
            name=benchmark.name,
        )
    ]
    for position, label in axis.ticks(x_low, x_high):
        axes.append(
            format_html(
                '<text class="chart-tick" x="{x}" y="{y}" text-anchor="middle">{label}</text>',
                x=f"{px(position):.1f}",
                y=height - bottom + 16,
                label=label,
            )
        )
    for i in range(5):
        y = y_low + (y_high - y_low) * i / 4
        axes.append(
            format_html(
                '<text class="chart-tick" x="{x}" y="{y}" text-anchor="end">{label}</text>',
                x=left - 6,
                y=f"{py(y) + 4:.1f}",
                label=f"{y:.3g}",
            )
        )
    # Built with f-strings over escaped parts: format_html and reverse() per point
    # cost more than the rest of the page's chart.
    model_url = reverse("model", args=["__slug__"])
    dots, labelled = [], []
    for i, (p, x, y) in enumerate(zip(points, xs, ys, strict=True)):
        name, note = escape_text(p["name"]), escape_text(claim_note(p))
        label = ""
        if i < LABELLED:
            box = label_box(p["name"], px(x), py(y), width)
            if not any(overlaps(box, other) for other in labelled):
                labelled.append(box)
                anchor = "start" if box[0] > px(x) else "end"
                at = box[0] if anchor == "start" else box[2]
                label = (
                    f'<text class="chart-point-label" x="{at:.1f}" y="{py(y) - 6:.1f}" '
                    f'text-anchor="{anchor}">{name}</text>'
                )
        bounds = intervals[i]
        error_bar = (
            f'<path class="chart-error" d="M{px(x):.1f} {py(bounds[0]):.1f}V{py(bounds[1]):.1f}"/>'
            if bounds
            else ""
        )
        dots.append(
            f'<a href="{escape_text(model_url.replace("__slug__", p["slug"]))}">'
            f'<g class="chart-point{" vendor" if note else ""}"><title>{name}: '
            f"{shown_value(p)}{escape_text(uncertainty_note(p))}, "
            f"{escape_text(axis.says(p))}{note}</title>{error_bar}"
            f'<circle cx="{px(x):.1f}" cy="{py(y):.1f}" r="5"/>{label}</g></a>'
        )
    description = "; ".join(
        f"{p['name']}: {shown_value(p)}{uncertainty_note(p)}{unit}, {axis.says(p)}{claim_note(p)}"
        for p in points
    )
    svg = svg_frame(
        f"scatter-{benchmark.slug}-{axis.name.replace(' ', '-')}",
        width,
        height,
        f"{benchmark.name} against {axis.name}",
        description,
        mark_safe("".join(axes) + "".join(dots)),
        linked=True,
    )
    return Chart(svg=svg, summary=description)
