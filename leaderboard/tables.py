"""The site's tables. Every column sorts in the database, both ways, with missing
values (no result, an unreported count) last in both directions.

Each column has one path for each output: ``cell(record)`` gives its HTML, and
``value(record)`` its plain value for exports. ``FastRowsTable`` calls them directly,
skipping django-tables2's per-cell machinery (attribute dicts, signature inspection,
accessors), which profiling showed to cost most of a 50-row page. A column that
needs something for all the rows it is about to show (places) gets them first in
``prepare(records)``.
"""

import django_tables2 as tables
from django.db.models import Case, F, Value, When
from django.urls import reverse
from django.utils.functional import cached_property
from django.utils.html import escape, format_html
from django.utils.safestring import mark_safe
from django_tables2.templatetags.django_tables2 import table_page_range

from .models import AIModel, Openness
from .quotes import short_count
from .ranking import Ranking, headline_result, score_of

NOT_REPORTED = mark_safe('<span class="not-reported">not reported</span>')
NO_RESULT = mark_safe('<span class="no-result" title="No result reported">—</span>')
# Sort keys of benchmark columns: never collide with a fixed column's name.
BENCHMARK_KEY_PREFIX = "benchmark-"


def benchmark_key(benchmark):
    """The column name (and ``?sort=`` key) of a benchmark's column."""
    return f"{BENCHMARK_KEY_PREFIX}{benchmark.slug}"


def humanize_count(number):
    """A shortened count ("128B") with the exact number in its title. (Cells are built
    with f-strings from numbers and escaped text: format_html in every cell cost a
    tenth of a page.)"""
    return mark_safe(f'<span title="{number:,}">{short_count(number)}</span>')


def aria_sort(bound_column):
    """The header's aria-sort: the order the cells' own values are in, or None."""
    if not bound_column.is_ordered:
        return None
    descending = bound_column.order_by_alias.is_descending
    column = bound_column.column
    if (
        isinstance(column, BenchmarkColumn)
        and not isinstance(column, RankColumn)
        and column.ranking.higher_first
        and shows_values(bound_column._table, column)
    ):
        # Best first, the first click, puts the highest values first. Places (the Rank
        # column, results that give only a place) and lower-is-better values go up.
        descending = not descending
    return "descending" if descending else "ascending"


def shows_values(table, column):
    """Whether the page shows any value (not only places) in a benchmark column;
    asked once per table and benchmark."""
    cache = table.__dict__.setdefault("_shows_values", {})
    if column.benchmark.pk not in cache:
        cache[column.benchmark.pk] = any(
            (result := column.result(row.record)) is not None and result.value is not None
            for row in table.paginated_rows
        )
    return cache[column.benchmark.pk]


def header_attrs(**attrs):
    """Attributes every header cell carries; a column's own "th" attributes replace
    the table's, so columns that set some build on these. (aria-sort is added in
    ``FastRowsTable.header_cells``: a callable here costs a signature inspection
    each time django-tables2 computes a column's attributes.)"""
    return {"scope": "col", **attrs}


def claim_badge(result):
    """Marks a vendor's claim as that vendor's, with the source on hover."""
    if not result.is_vendor_claim:
        return ""
    return format_html(
        ' <small class="claim" title="{}’s claim. Source: {}">{}’s claim</small>',
        result.claimer,
        result.source_title,
        result.claimer,
    )


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
        return self.accessor.resolve(record)


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
        url = escape(self.url_pattern.replace("__slug__", target.slug))
        return mark_safe(f'<a href="{url}">{escape(target)}</a>')

    def value(self, record):
        return str(self.target(record))


class CountColumn(NullsLastColumn):
    """A count of parameters or tokens, shortened for reading, exact in exports."""

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("attrs", {"td": {"class": "num"}})
        super().__init__(*args, **kwargs)

    def cell(self, record):
        value = self.field_value(record)
        return NOT_REPORTED if value is None else humanize_count(value)

    def value(self, record):
        return self.field_value(record)


class OpennessColumn(tables.Column):
    """What is open; most open first when descending, "not reported" last both ways."""

    RANKING = [Openness.OPEN, Openness.PARTIAL, Openness.CLOSED]

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
        return mark_safe(
            f'<span class="badge openness-{escape(getattr(record, self.accessor))}">'
            f"{escape(self.value(record))}</span>"
        )

    def value(self, record):
        return getattr(record, f"get_{self.accessor}_display")()


class BenchmarkColumn(tables.Column):
    """One benchmark's headline results (see ``leaderboard.ranking``).

    Rows are AI models, whose cells read the page's prefetched ``headline_results``
    and which sort through the headline index (``Ranking.in_order``); or, with
    ``rows_are_results``,
    the benchmark's ranked results themselves. Ascending means best first, as a reader
    expects from the first click on a leaderboard's column.
    """

    def __init__(self, benchmark, rows_are_results=False, **kwargs):
        self.benchmark = benchmark
        self.ranking = Ranking(benchmark)
        self.rows_are_results = rows_are_results
        arrow = {True: "↑", False: "↓"}.get(benchmark.higher_is_better, "")
        version = benchmark.ranked_version.name if benchmark.ranked_version else ""
        kwargs.setdefault(
            "verbose_name",
            format_html(
                '{}<span class="direction" aria-hidden="true">{}</span>{}',
                benchmark.name,
                arrow,
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

    def result(self, record):
        return record if self.rows_are_results else headline_result(record, self.benchmark)

    def cell(self, record):
        result = self.result(record)
        if result is None:
            return NO_RESULT
        return mark_safe(f"{escape(result.display_value)}{claim_badge(result)}")

    def value(self, record):
        result = self.result(record)
        return "" if result is None else result.display_value

    def order(self, queryset, is_descending):
        return self.ranking.in_order(queryset, best_first=not is_descending), True


class RankColumn(BenchmarkColumn):
    """Each model's place on a benchmark among every model with a result on it (see
    ``leaderboard.ranking``: filters and sorting never change a place). Sorting it is
    sorting by that benchmark."""

    def __init__(self, benchmark, rows_are_results=False):
        super().__init__(
            benchmark,
            rows_are_results,
            verbose_name="Rank",
            attrs={
                "th": header_attrs(
                    title=f"Place on {benchmark.name} among every model with a result on it"
                ),
                "td": {"class": "num rank"},
            },
        )
        self.export_header = f"Rank ({benchmark.name})"
        self.places = {}

    def prepare(self, records):
        self.places = self.ranking.places(score_of(self.result(record)) for record in records)

    def place(self, record):
        return self.places.get(score_of(self.result(record)))

    def cell(self, record):
        place = self.place(record)
        return NO_RESULT if place is None else place

    def value(self, record):
        place = self.place(record)
        return "" if place is None else place


class BenchmarkSourceColumn(tables.Column):
    """Export-only: whose claim a benchmark's value is, and its source."""

    def __init__(self, benchmark):
        self.benchmark = benchmark
        super().__init__(accessor="pk", empty_values=(), visible=False, orderable=False)
        self.export_header = f"{benchmark.name}: source"

    def value(self, record):
        result = headline_result(record, self.benchmark)
        if result is None:
            return ""
        who = f"{result.claimer}'s claim" if result.is_vendor_claim else "independent"
        return f"{who}; {result.source_title}"


class FastRowsTable(tables.Table):
    """A table whose rows, on the page and in exports, come from each column's
    ``cell`` and ``value`` (see the module's docstring)."""

    def prepare_columns(self, bound_columns, records):
        for bound in bound_columns:
            prepare = getattr(bound.column, "prepare", None)
            if prepare:
                prepare(records)

    def url_with(self, **changes):
        """This page's URL with query parameters changed (None removes one)."""
        query = self.request.GET.copy()
        for name, value in changes.items():
            query.pop(name, None)
            if value is not None:
                query[name] = value
        return "?" + query.urlencode()

    def header_cells(self):
        """(attributes, header, sort link or None) for each shown column. A new sort
        starts again on the first page."""
        return [
            (
                self.header_attrs_html(bound),
                bound.header,
                self.url_with(
                    **{self.order_by_field: bound.order_by_alias.next, self.page_field: None}
                )
                if bound.orderable
                else None,
            )
            for bound in self.columns
        ]

    def header_attrs_html(self, bound):
        attrs = bound.attrs["th"]
        order = aria_sort(bound)
        if order:
            attrs["aria-sort"] = order
        return attrs.as_html()

    def page_links(self):
        """(label, link or None, whether current) for the pagination bar, or [] when
        everything fits on one page."""
        page = getattr(self, "page", None)
        if page is None or self.paginator.num_pages < 2:
            return []
        links = []
        if page.has_previous():
            links.append(
                (
                    "previous",
                    self.url_with(**{self.page_field: page.previous_page_number()}),
                    False,
                )
            )
        for number in table_page_range(page, self.paginator):
            if number == "...":
                links.append(("…", None, False))
            else:
                links.append(
                    (number, self.url_with(**{self.page_field: number}), number == page.number)
                )
        if page.has_next():
            links.append(
                ("next", self.url_with(**{self.page_field: page.next_page_number()}), False)
            )
        return links

    def rendered_rows(self):
        records = [row.record for row in self.paginated_rows]
        columns = list(self.columns)
        self.prepare_columns(columns, records)
        cells = [(bound.attrs["td"].as_html(), bound.column.cell) for bound in columns]
        return [[(attrs, cell(record)) for attrs, cell in cells] for record in records]

    def as_values(self, exclude_columns=None):
        """Every row, under plain-text headers."""
        exclude_columns = exclude_columns or ()
        columns = [
            bound
            for bound in self.columns.iterall()
            if not (bound.column.exclude_from_export or bound.name in exclude_columns)
        ]
        records = list(self.data)
        self.prepare_columns(columns, records)
        yield [
            getattr(bound.column, "export_header", None) or str(bound.header) for bound in columns
        ]
        values = [bound.column.value for bound in columns]
        for record in records:
            yield [value(record) for value in values]


class ModelTable(FastRowsTable):
    """A table of models, led by their rank, name and organization."""

    name = LinkColumn("Model", url_name="model", attrs={"td": {"class": "model"}})
    organization = LinkColumn(url_name="organization", order_by=("organization__name",))

    class Meta:
        model = AIModel
        fields = ()
        sequence = ("rank", "name", "organization", "...")
        attrs = {"class": "leaderboard", "th": header_attrs()}
        template_name = "leaderboard/table.html"


class LeaderboardTable(ModelTable):
    total_parameters = CountColumn("Total params")
    active_parameters = CountColumn("Active params")
    context_window_tokens = CountColumn("Context")
    open_weights = OpennessColumn("Weights")
    open_training_data = OpennessColumn("Data")
    open_training_code = OpennessColumn("Recipe")

    class Meta(ModelTable.Meta):
        empty_text = "No models match these filters."

    def __init__(self, data, benchmarks=(), ranking_benchmark=None, **kwargs):
        """``benchmarks``: one column each, keyed by ``benchmark_key``.
        ``ranking_benchmark``: the benchmark the Rank column places models on; the
        table is in its order (best first) unless a reader sorts by another column."""
        extra = []
        if ranking_benchmark is not None:
            extra.append(("rank", RankColumn(ranking_benchmark)))
            kwargs.setdefault("order_by", "rank")
        for benchmark in benchmarks:
            extra.append((benchmark_key(benchmark), BenchmarkColumn(benchmark)))
        for benchmark in benchmarks:
            extra.append((f"source-{benchmark.slug}", BenchmarkSourceColumn(benchmark)))
        # Scores first: rank, model, the benchmark columns, then the model's facts.
        first = ["rank"] if ranking_benchmark is not None else []
        kwargs.setdefault(
            "sequence", [*first, "name", *(benchmark_key(b) for b in benchmarks), "..."]
        )
        super().__init__(data, extra_columns=extra, **kwargs)
        self.caption = (
            f"Open models, ranked on {ranking_benchmark.name}"
            if ranking_benchmark
            else "Open models"
        )

    @staticmethod
    def sorted_benchmark(sort, benchmarks):
        """The benchmark whose column ``?sort=`` names (either direction), or None."""
        key = (sort or "").removeprefix("-")
        return next((b for b in benchmarks if benchmark_key(b) == key), None)


class BenchmarkRankingTable(FastRowsTable):
    """One benchmark's ranking: its ranked results (one per model), best first. Rows
    are results, so the page reads the top of the (benchmark, version, value) index
    instead of joining every model."""

    name = LinkColumn(
        "Model",
        accessor="model",
        url_name="model",
        order_by=("model__name",),
        tiebreak="model__name",
        attrs={"td": {"class": "model"}},
    )
    organization = LinkColumn(
        accessor="model__organization",
        url_name="organization",
        order_by=("model__organization__name",),
        tiebreak="model__name",
    )
    active_parameters = CountColumn(
        "Active params", accessor="model__active_parameters", tiebreak="model__name"
    )

    class Meta:
        fields = ()
        sequence = ("rank", "name", "organization", "result", "active_parameters")
        attrs = {"class": "leaderboard", "th": header_attrs()}
        template_name = "leaderboard/table.html"
        empty_text = "No results on this benchmark yet."

    def __init__(self, data, benchmark, **kwargs):
        column = BenchmarkColumn(benchmark, rows_are_results=True, verbose_name="Result")
        kwargs.setdefault("order_by", "rank")
        super().__init__(
            data,
            extra_columns=[
                ("rank", RankColumn(benchmark, rows_are_results=True)),
                ("result", column),
            ],
            **kwargs,
        )
        order = (
            "best first"
            if benchmark.higher_is_better is not None
            else "highest first: the direction is not reported, so no places are computed"
        )
        self.caption = f"{benchmark.name}: models with a result, {order}"
