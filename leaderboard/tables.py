"""The site's tables. Every column sorts in the database, both ways, with missing
values (no result, an unreported count) last in both directions."""

import django_tables2 as tables
from django.db.models import Case, F, Value, When
from django.utils.html import format_html
from django.utils.safestring import mark_safe

from .models import AIModel, Openness
from .quotes import short_count

NOT_REPORTED = mark_safe('<span class="not-reported">not reported</span>')
NO_RESULT = mark_safe('<span class="no-result" title="No result reported">—</span>')


def humanize_count(number):
    """A shortened count ("128B") with the exact number in its title."""
    return format_html('<span title="{}">{}</span>', f"{number:,}", short_count(number))


def aria_sort(bound_column):
    """The header's aria-sort: the order the cells' own values are in, or None."""
    if not bound_column.is_ordered:
        return None
    descending = bound_column.order_by_alias.is_descending
    column = bound_column.column
    if (
        isinstance(column, BenchmarkColumn)
        and not isinstance(column, RankColumn)
        and column.benchmark.higher_is_better is not False
        and shows_values(bound_column._table, column.benchmark)
    ):
        # Best first, the first click, puts the highest values first. Places (the Rank
        # column, results that give only a place) and lower-is-better values go up.
        descending = not descending
    return "descending" if descending else "ascending"


def shows_values(table, benchmark):
    """Whether the page shows any value (not only places) for the benchmark."""
    for row in table.paginated_rows:
        result = result_for(row.record, benchmark)
        if result is not None and result.value is not None:
            return True
    return False


def header_attrs(**attrs):
    """Attributes every header cell carries; a column's own "th" attributes replace
    the table's, so columns that set some build on these."""
    return {"scope": "col", "aria-sort": lambda bound_column: aria_sort(bound_column), **attrs}


def claim_badge(result):
    """Marks a vendor's claim as that vendor's, with the source on hover."""
    if not result.is_vendor_claim:
        return ""
    return format_html(
        ' <small class="claim" title="{}’s claim. Source: {}">{}’s claim</small>',
        result.claimed_by,
        result.source,
        result.claimed_by,
    )


def result_for(record, benchmark):
    """The record's headline result on ``benchmark``'s ranked version, from the
    prefetched list."""
    return next(
        (
            r
            for r in record.headline_results
            if r.benchmark_id == benchmark.pk and r.version_id == benchmark.ranked_version_id
        ),
        None,
    )


class NullsLastColumn(tables.Column):
    """A column over a nullable field whose empty cells sort last both ways."""

    def order(self, queryset, is_descending):
        field = F(self.order_by[0].bare if self.order_by else self.accessor.replace(".", "__"))
        ordering = field.desc(nulls_last=True) if is_descending else field.asc(nulls_last=True)
        return queryset.order_by(ordering, "name"), True


class CountColumn(NullsLastColumn):
    """A count of parameters or tokens, shortened for reading, exact in exports."""

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("default", NOT_REPORTED)
        kwargs.setdefault("attrs", {"td": {"class": "num"}})
        super().__init__(*args, **kwargs)

    def render(self, value):
        return humanize_count(value)

    def cell(self, record):
        value = getattr(record, self.accessor)
        return NOT_REPORTED if value is None else humanize_count(value)

    def value(self, value):
        return value


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

    def render(self, record, value):
        return format_html(
            '<span class="badge openness-{}">{}</span>', getattr(record, self.accessor), value
        )

    def cell(self, record):
        return self.render(record, getattr(record, f"get_{self.accessor}_display")())

    def value(self, record, value):
        return value


class BenchmarkColumn(tables.Column):
    """One benchmark's headline results (see ``ResultQuerySet.headline``).

    Cells read the page's prefetched ``headline_results``; sorting annotates only
    the sorted benchmark. Ascending means best first, as a reader expects from the
    first click on a leaderboard's column.
    """

    def __init__(self, benchmark, ranking=False, **kwargs):
        self.benchmark = benchmark
        # The table's data already carries this benchmark's scores (``with_place_on``).
        self.ranking = ranking
        arrow = {True: "↑", False: "↓"}.get(benchmark.higher_is_better, "")
        versions = benchmark.ranked_version.name if benchmark.ranked_version else ""
        kwargs.setdefault(
            "verbose_name",
            format_html(
                '{}<span class="direction" aria-hidden="true">{}</span>{}',
                benchmark.name,
                arrow,
                format_html(' <small class="version">{}</small>', versions) if versions else "",
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

    def render(self, record):
        result = result_for(record, self.benchmark)
        if result is None:
            return NO_RESULT
        return format_html("{}{}", result.display_value, claim_badge(result))

    cell = render

    def value(self, record):
        result = result_for(record, self.benchmark)
        return "" if result is None else result.display_value

    def order(self, queryset, is_descending):
        prefix = "score" if self.ranking else f"sort_{self.benchmark.pk}"
        return (
            queryset.ranked_on(self.benchmark, best_first=not is_descending, prefix=prefix),
            True,
        )


class BenchmarkSourceColumn(tables.Column):
    """Export-only: whose claim a benchmark's value is, and its source."""

    def __init__(self, benchmark):
        self.benchmark = benchmark
        super().__init__(accessor="pk", empty_values=(), visible=False, orderable=False)
        self.export_header = f"{benchmark.name}: source"

    def value(self, record):
        result = result_for(record, self.benchmark)
        if result is None:
            return ""
        who = f"{result.claimed_by}'s claim" if result.is_vendor_claim else "independent"
        return f"{who}; {result.source}"


class RankColumn(BenchmarkColumn):
    """The model's place on the ranking benchmark among the models shown; sorting it
    is sorting by that benchmark."""

    def __init__(self, benchmark):
        super().__init__(
            benchmark,
            ranking=True,
            verbose_name="Rank",
            attrs={
                "th": header_attrs(title=f"Place on {benchmark.name} among the models shown"),
                "td": {"class": "num rank"},
            },
        )
        self.export_header = f"Rank ({benchmark.name})"

    def place(self, record):
        """The computed place, which needs a known direction; without one, only the
        place a source states."""
        if self.benchmark.higher_is_better is None:
            return record.score_rank
        if record.score_value is None and record.score_rank is None:
            return None
        return record.place

    def render(self, record):
        place = self.place(record)
        return NO_RESULT if place is None else place

    cell = render

    def value(self, record):
        place = self.place(record)
        return "" if place is None else place


class LinkColumn(NullsLastColumn):
    """A link to the page of the object the column shows."""

    def cell(self, record):
        target = record if self.accessor == "name" else getattr(record, self.accessor)
        return format_html('<a href="{}">{}</a>', target.get_absolute_url(), target)


class FastRowsMixin:
    """Renders the page's cells through each column's ``cell(record)``, skipping
    django-tables2's per-cell machinery (attribute dicts, signature inspection,
    accessors), which profiling showed to cost most of a 50-row page. Columns
    without ``cell`` fall back to django-tables2."""

    def rendered_rows(self):
        columns = [
            (bound.name, bound.attrs["td"].as_html(), getattr(bound.column, "cell", None))
            for bound in self.columns
        ]
        return [
            [
                (attrs, cell(row.record) if cell else row.get_cell(name))
                for name, attrs, cell in columns
            ]
            for row in self.paginated_rows
        ]


class ModelTable(FastRowsMixin, tables.Table):
    """A table of models, led by their rank, name and organization."""

    name = LinkColumn("Model", linkify=True, attrs={"td": {"class": "model"}})
    organization = LinkColumn(linkify=True, order_by=("organization__name",))

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
        """``benchmarks``: one column each, keyed "benchmark-<slug>" so a benchmark's
        sort key never collides with a fixed column's. ``ranking_benchmark``: the
        benchmark the Rank column places models on."""
        extra = []
        if ranking_benchmark is not None:
            extra.append(("rank", RankColumn(ranking_benchmark)))
        for benchmark in benchmarks:
            column = BenchmarkColumn(benchmark, ranking=benchmark == ranking_benchmark)
            extra.append((f"benchmark-{benchmark.slug}", column))
        for benchmark in benchmarks:
            extra.append((f"source-{benchmark.slug}", BenchmarkSourceColumn(benchmark)))
        super().__init__(data, extra_columns=extra, **kwargs)
        self.caption = (
            f"Open models, ranked on {ranking_benchmark.name}"
            if ranking_benchmark
            else "Open models"
        )

    def as_values(self, exclude_columns=None):
        """Rows for export, under plain-text headers."""
        rows = super().as_values(exclude_columns)
        next(rows)
        exclude_columns = exclude_columns or ()
        yield [
            getattr(column.column, "export_header", None) or str(column.header)
            for column in self.columns.iterall()
            if not (column.column.exclude_from_export or column.name in exclude_columns)
        ]
        yield from rows


class BenchmarkRankingTable(ModelTable):
    """One benchmark's ranking: models with a result on it, best first."""

    active_parameters = CountColumn("Active params")

    class Meta(ModelTable.Meta):
        empty_text = "No results on this benchmark yet."

    def __init__(self, data, benchmark, **kwargs):
        column = BenchmarkColumn(benchmark, ranking=True, verbose_name="Result")
        super().__init__(
            data,
            extra_columns=[("rank", RankColumn(benchmark)), ("result", column)],
            **kwargs,
        )
        order = (
            "best first"
            if benchmark.higher_is_better is not None
            else "highest first: the direction is not reported, so no places are computed"
        )
        self.caption = f"{benchmark.name}: models with a result, {order}"
