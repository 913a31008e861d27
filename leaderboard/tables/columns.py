"""The site's columns: each renders a cell through ``cell(record)`` and exports a
value through ``value(record)``, and sorts in the database with missing values last
both ways (see the package's docstring)."""

from operator import attrgetter

import django_tables2 as tables
from django.db.models import Case, F, Value, When
from django.urls import reverse
from django.utils.functional import cached_property
from django.utils.html import format_html
from django.utils.safestring import SafeString, mark_safe

from ..models import Openness
from ..reading.headline_rows import CLAIM, FIGURE, PASSAGE, QUOTE, headline_at
from ..reading.passages import passage_url
from ..reading.presentation import (
    NO_PLACE_STATED,
    NO_RESULT,
    NOT_PLACED,
    claim_badge,
    escape_text,
    figure_html,
    figure_text,
    humanize_count,
    not_ranked_mark,
    shots_note,
    tie_mark,
    whose,
)
from ..rules import run_settings
from ..rules.ranking import Ranking, score_of

NOT_REPORTED = mark_safe('<span class="not-reported">not reported</span>')
# Sort keys of benchmark columns: never collide with a fixed column's name.
BENCHMARK_KEY_PREFIX = "benchmark-"


def benchmark_key(benchmark):
    """The column name (and ``?sort=`` key) of a benchmark's column."""
    return f"{BENCHMARK_KEY_PREFIX}{benchmark.slug}"


def aria_sort(table, bound_column):
    """The header's aria-sort: the order the cells' own values are in, or None."""
    if not bound_column.is_ordered:
        return None
    descending = bound_column.order_by_alias.is_descending
    column = bound_column.column
    if (
        isinstance(column, BenchmarkColumn)
        and not isinstance(column, RankColumn)
        and column.ranking.higher_first
        and table.shows_values(column.benchmark)
    ):
        # Best first, the first click, puts the highest values first. Places (the Rank
        # column, results that give only a place) and lower-is-better values go up.
        descending = not descending
    return "descending" if descending else "ascending"


def header_attrs(**attrs):
    """Attributes every header cell carries; a column's own "th" attributes replace
    the table's, so columns that set some build on these. (aria-sort is added in
    ``FastRowsTable.header_cells``: a callable here costs a signature inspection
    each time django-tables2 computes a column's attributes.)"""
    return {"scope": "col", **attrs}


def about_link(benchmark):
    """(URL, title) of a benchmark's page from its column: its notes and caveats (the
    article's "some Chinese models are higher") where it has any."""
    url = benchmark.get_absolute_url()
    if benchmark.notes:
        return f"{url}#notes-heading", f"About {benchmark.name}. Notes: {benchmark.notes}"
    return url, f"About {benchmark.name}: what it measures and how to read it"


class NullsLastColumn(tables.Column):
    """A column over a nullable field whose empty cells sort last both ways; rows
    that tie go by the model's name (``tiebreak``: where the name is, from a row)."""

    def __init__(self, *args, tiebreak="name", **kwargs):
        self.tiebreak = tiebreak
        super().__init__(*args, **kwargs)

    def order(self, queryset, is_descending):
        field = F(self.order_by[0].bare if self.order_by else self.accessor)
        ordering = field.desc(nulls_last=True) if is_descending else field.asc(nulls_last=True)
        return queryset.order_by(ordering, self.tiebreak), True

    def field_value(self, record):
        return self.read_field(record)

    @cached_property
    def read_field(self):
        """The accessor's field of a row, as ``Accessor.resolve`` finds it on a model
        (attribute by attribute), without its checks for dicts, lists and callables:
        an export calls it for each fact of 10,000 rows, where ``resolve`` took ten
        times as long."""
        return attrgetter(".".join(self.accessor.bits))


class LinkColumn(NullsLastColumn):
    """A link to the page of the object the column shows (``url_name``, by slug)."""

    def __init__(self, *args, url_name, **kwargs):
        self.url_name = url_name
        super().__init__(*args, **kwargs)

    def target(self, record):
        return record if self.accessor == "name" else self.field_value(record)

    @cached_property
    def url_pattern(self):
        # reverse() once, not once a row.
        return reverse(self.url_name, args=["__slug__"])

    def cell(self, record):
        target = self.target(record)
        url = escape_text(self.url_pattern.replace("__slug__", target.slug))
        return SafeString(f'<a href="{url}">{escape_text(target)}</a>')

    def value(self, record):
        return str(self.target(record))

    def typed(self, record, base_url):
        target = self.target(record)
        return {
            "slug": target.slug,
            "name": str(target),
            "url": base_url + self.url_pattern.replace("__slug__", target.slug),
        }


class ComparableModelColumn(LinkColumn):
    """The model's name with a checkbox choosing it for the compare page: the boxes
    belong to the form ``form_id`` outside the table (HTML's ``form`` attribute), so
    choosing works without JavaScript."""

    json_key = "model"

    def __init__(self, *args, form_id, **kwargs):
        self.form_id = form_id
        super().__init__(*args, **kwargs)

    def cell(self, record):
        target = self.target(record)
        return SafeString(
            f'<input type="checkbox" name="models" value="{escape_text(target.slug)}" '
            f'form="{self.form_id}" aria-label="Compare {escape_text(target)}"> '
            + super().cell(record)
        )


UNCITED = ' <small class="uncited" title="No source is recorded for this figure">uncited</small>'


class CountColumn(NullsLastColumn):
    """A count of parameters or tokens, shortened for reading, exact in exports."""

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("attrs", {"td": {"class": "num"}})
        super().__init__(*args, **kwargs)

    def cell(self, record):
        """The count, marked "uncited" when no citation backs it (rows annotated by
        ``citation_marks``)."""
        value = self.field_value(record)
        if value is None:
            return NOT_REPORTED
        if getattr(record, f"cited_{self.accessor.split('__')[-1]}", True):
            return humanize_count(value)
        return SafeString(humanize_count(value) + UNCITED)

    def value(self, record):
        return self.field_value(record)


class DateColumn(NullsLastColumn):
    """A date ("5 Aug 2025"), ISO in exports; "not reported" when empty."""

    def cell(self, record):
        value = self.field_value(record)
        if value is None:
            return NOT_REPORTED
        return SafeString(f'<time datetime="{value.isoformat()}">{value:%-d %b %Y}</time>')

    def value(self, record):
        value = self.field_value(record)
        return None if value is None else value.isoformat()


class OpennessColumn(tables.Column):
    """What is open; most open first when descending, "not reported" last both ways."""

    RANKING = [Openness.OPEN, Openness.PARTIAL, Openness.CLOSED]
    # Each stored value's label: what get_FOO_display() gives, at a tenth of its cost
    # (it makes each value hashable first), which an export pays 30,000 times.
    LABELS = dict(Openness.choices)

    def order(self, queryset, is_descending):
        openness = Case(
            *(
                When(**{self.accessor: value}, then=Value(i))
                for i, value in enumerate(self.RANKING)
            ),
            default=None,
        )
        key = F("sort_openness")
        return (
            queryset.annotate(sort_openness=openness).order_by(
                key.asc(nulls_last=True) if is_descending else key.desc(nulls_last=True),
                "name",
            ),
            True,
        )

    def cell(self, record):
        value = getattr(record, self.accessor)
        return SafeString(
            f'<span class="badge openness-{escape_text(value)}">'
            f"{escape_text(self.LABELS.get(value, value))}</span>"
        )

    def value(self, record):
        """The label, as the CSV export writes it: empty where no source says, as
        every other fact not reported is."""
        value = getattr(record, self.accessor)
        return "" if value == Openness.NOT_REPORTED else self.LABELS.get(value, value)

    def typed(self, record, base_url):
        value = getattr(record, self.accessor)
        return None if value == Openness.NOT_REPORTED else value


class BenchmarkColumn(tables.Column):
    """One benchmark's headline results (see ``leaderboard.rules.ranking``).

    Rows are AI models, whose cells read their headline results (attached by
    ``LeaderboardTable.prepare_records``)
    and which sort through the headline index (``Ranking.in_order``); or, with
    ``rows_are_results``,
    the benchmark's ranked results themselves. Ascending means best first, as a reader
    expects from the first click on a leaderboard's column.
    """

    def __init__(self, benchmark, rows_are_results=False, **kwargs):
        self.benchmark = benchmark
        self.headline_key = (benchmark.pk, benchmark.ranked_version_id)
        self.ranking = Ranking(benchmark)
        self.rows_are_results = rows_are_results
        # In words under the name: an arrow ("↑") read as the column's sort order.
        self.direction_note = {True: "higher is better", False: "lower is better"}.get(
            benchmark.higher_is_better, ""
        )
        version = benchmark.ranked_version.name if benchmark.ranked_version else ""
        kwargs.setdefault(
            "verbose_name",
            format_html(
                "<bdi>{}</bdi>{}",
                benchmark.name,
                format_html(' <small class="version">{}</small>', version) if version else "",
            ),
        )
        kwargs.setdefault(
            "attrs",
            {
                "th": header_attrs(
                    title=f"{benchmark.name}: {benchmark.direction_label}. "
                    + (
                        "Click to sort best first, again for worst first."
                        if benchmark.higher_is_better is not None
                        else "Click to sort highest first, again for lowest first."
                    ),
                    **{"class": "benchmark"},
                ),
                "td": {"class": "num"},
            },
        )
        super().__init__(accessor="pk", empty_values=(), **kwargs)
        self.export_header = benchmark.name + (f" ({benchmark.unit})" if benchmark.unit else "")
        self.about = about_link(benchmark)

    def result(self, record):
        if self.rows_are_results:
            return record
        return headline_at(record, self.headline_key)

    @cached_property
    def source_url_pattern(self):
        # reverse() once, not once a cell.
        return reverse("source", args=["__slug__"])

    def cell(self, record):
        """The figure, linked to the passage of its source that states it."""
        result = self.result(record)
        if result is None:
            return NO_RESULT
        source_url = self.source_url_pattern.replace("__slug__", result.source_slug)
        passage = passage_url(source_url, result.quote)
        # A benchmark's own ranking says how each result was measured; the
        # leaderboard's cells, one per benchmark, stay a figure.
        notes = shots_note(result.shots) if self.rows_are_results else ""
        if not result.is_comparable:
            notes += not_ranked_mark(run_settings.differences(result, self.benchmark))
        return SafeString(
            figure_html(result.display_value, result.display_uncertainty, passage)
            + notes
            + claim_badge(result.is_vendor_claim, result.claimer, result.source_title)
        )

    # The CSV export reads this text with the results (``attach_headline_texts``).
    text_part = FIGURE

    def value(self, record):
        """The stored figure (``figure_text``), as the CSV export's texts write it:
        exports keep what is stored; only pages round (``display_value``)."""
        result = self.result(record)
        return "" if result is None else figure_text(result.value, result.rank)

    # The typed export puts each benchmark's result under "results", by its slug, as
    # text made with the results read (``headline_rows.attach_headline_json``).
    json_group = "results"

    @property
    def json_key(self):
        return self.benchmark.slug

    def order(self, queryset, is_descending):
        return self.ranking.in_order(queryset, best_first=not is_descending), True


class RankColumn(BenchmarkColumn):
    """Each model's place on a benchmark among every model with a result on it (see
    ``leaderboard.rules.ranking``: filters and sorting never change a place). Sorting it is
    sorting by that benchmark."""

    def __init__(self, benchmark, rows_are_results=False):
        super().__init__(
            benchmark,
            rows_are_results,
            verbose_name=format_html(
                'Rank <small class="ranked-on">on {}</small>', benchmark.name
            ),
            attrs={
                "th": header_attrs(
                    title=f"Place on {benchmark.name} among every model with a result on it"
                ),
                "td": {"class": "num rank"},
            },
        )
        self.export_header = f"Rank ({benchmark.name})"
        self.direction_note = ""  # a place: the first is best whatever the benchmark's
        self.text_part = None  # a place, from the ranking: not a result's own text
        # The Rank column's header is its own; the benchmark's column links to its page.
        self.about = None
        self.places, self.results = {}, []

    def prepare(self, records):
        self.results = [self.result(record) for record in records]
        self.places = self.ranking.places(score_of(result) for result in self.results)
        self.__dict__.pop("best_places", None)

    @cached_property
    def best_places(self):
        """Statistical ties among the prepared rows, asked only by a page's cells (an
        export gives each result's own uncertainty instead)."""
        return self.ranking.best_places(self.results)

    def place(self, record):
        return self.places.get(score_of(self.result(record)))

    def is_tied(self, record):
        """Whether a prepared row's place is marked statistically tied ("≈ #1"): what
        decides if the page explains the mark."""
        result = self.result(record)
        if result is None:
            return False
        best = self.best_places.get(result.pk)
        return best is not None and best < self.places.get(score_of(result), best)

    def cell(self, record):
        """The place, marked where it rests on a vendor's claim."""
        place = self.place(record)
        result = self.result(record)
        if place is None:
            if result is None:
                return NO_RESULT
            return NOT_PLACED if not result.is_comparable else NO_PLACE_STATED
        cell = str(place)
        best = self.best_places.get(result.pk, place)
        if best < place:
            cell += tie_mark(best)
        if result.is_vendor_claim:
            cell += (
                f' <small class="claim" title="This place rests on '
                f'{escape_text(whose(True, result.claimer))}">claimed</small>'
            )
        return SafeString(cell)

    def value(self, record):
        place = self.place(record)
        return "" if place is None else place

    json_group = None
    json_key = "rank"

    def typed(self, record, base_url):
        return self.place(record)


class BenchmarkTextColumn(tables.Column):
    """Export-only: one of a benchmark's texts besides its figure (``text_part``):
    whose claim it is and its source (CLAIM), the quote (QUOTE), or the address of the
    passage that states it (PASSAGE)."""

    HEADERS = {CLAIM: "source", QUOTE: "quote", PASSAGE: "passage"}

    def __init__(self, benchmark, text_part):
        self.benchmark, self.text_part = benchmark, text_part
        self.headline_key = (benchmark.pk, benchmark.ranked_version_id)
        super().__init__(accessor="pk", empty_values=(), visible=False, orderable=False)
        self.export_header = f"{benchmark.name}: {self.HEADERS[text_part]}"

    # The CSV export reads these texts with the results (``attach_headline_texts``),
    # not through ``value``; the typed export gives them inside each result.
    json_key = None
