"""The site's tables. Every column sorts in the database, both ways, with missing
values (no result, an unreported count) last in both directions.

Each column has one path for each output: ``cell(record)`` gives its HTML, and
``value(record)`` its plain value for exports. ``FastRowsTable`` calls them directly,
skipping django-tables2's per-cell machinery (attribute dicts, signature inspection,
accessors), which profiling showed to cost most of a 50-row page. A column that
needs something for all the rows it is about to show (places) gets them first in
``prepare(records)``.
"""

from typing import NamedTuple

import django_tables2 as tables
from django.utils.functional import cached_property
from django.utils.safestring import mark_safe

from ..models import AIModel
from ..reading.headline_rows import (
    CLAIM,
    MODELS_A_QUERY,
    PASSAGE,
    QUOTE,
    ClaimNames,
    HeadlineScore,
    attach_headline_json,
    attach_headline_results,
    attach_headline_texts,
    headline_json,
)
from ..reading.presentation import html_of
from ..reading.result_json import inner
from ..rules.ranking import FetchedWhenRead
from ..web.caching import rows_per_data_version
from .columns import (
    BenchmarkColumn,
    BenchmarkTextColumn,
    ComparableModelColumn,
    CountColumn,
    DateColumn,
    LinkColumn,
    OpennessColumn,
    RankColumn,
    aria_sort,
    benchmark_key,
    header_attrs,
)
from .pager import PagerLinks

__all__ = ["BenchmarkRankingTable", "FastRowsTable", "LeaderboardTable", "ModelTable"]


class RowFacts(NamedTuple):
    """What a rendered row tells the rest of the page: the benchmarks (pks) it shows
    a value on (the header's aria-sort reads values or places), and whether its place
    is marked statistically tied (the note explaining "≈ #1")."""

    valued: frozenset
    tied: bool


def row_facts(columns, record):
    valued, tied = set(), False
    for bound in columns:
        column = bound.column
        if isinstance(column, RankColumn):
            tied = tied or column.is_tied(record)
        elif isinstance(column, BenchmarkColumn):
            result = column.result(record)
            if result is not None and result.value is not None:
                valued.add(column.benchmark.pk)
    return RowFacts(frozenset(valued), tied)


# Rows an export reads and prepares at a time: as many as one query reads the headline
# results of.
EXPORT_CHUNK = MODELS_A_QUERY


class FastRowsTable(PagerLinks, tables.Table):
    """A table whose rows, on the page and in exports, come from each column's
    ``cell`` and ``value`` (see the module's docstring)."""

    def prepare_columns(self, bound_columns, records):
        for bound in bound_columns:
            prepare = getattr(bound.column, "prepare", None)
            if prepare:
                prepare(records)

    @property
    def marks_ties(self):
        """Whether the page's Rank column marks a statistical tie ("≈ #1"), once its
        rows are rendered: a page explains the mark only where it shows one."""
        return any(facts.tied for _, facts in self.rendered)

    def header_cells(self):
        """(attributes, header, sort link or None, about link or None, sort mark,
        direction note) for each shown column. A new sort starts again on the first
        page. The about link (a benchmark's page, where its notes and caveats are) is
        the column's ``about``: (URL, title). The sort mark ("▲", "▼") follows the
        header's name and the direction ("higher is better", the column's
        ``direction_note``) goes under it in words, so the one is never read as the
        other."""
        return [
            (
                self.header_attrs_html(bound),
                bound.header,
                self.url_with(
                    **{self.order_by_field: bound.order_by_alias.next, self.page_field: None}
                )
                if bound.orderable
                else None,
                getattr(bound.column, "about", None),
                ("▼" if bound.order_by_alias.is_descending else "▲") if bound.is_ordered else "",
                getattr(bound.column, "direction_note", ""),
            )
            for bound in self.columns
        ]

    def header_attrs_html(self, bound):
        attrs = bound.attrs["th"]
        order = aria_sort(self, bound)
        if order:
            attrs["aria-sort"] = order
        return attrs.as_html()

    def prepare_records(self, records):
        """Fetch what the rows about to be shown need beyond their own fields (a
        leaderboard's results), for all of them at once."""

    @cached_property
    def rendered(self):
        """Each shown row as (HTML, facts): its ``<tr>``, and what the header and the
        notes under the table ask of the rows (``RowFacts``). Rendered once per data
        version for every page with the same columns
        (``caching.rows_per_data_version``); only rows not yet rendered are prepared
        (``prepare_records``, each column's ``prepare``). A row is one string, not cells
        for the template to loop over: the template's loop over 600 cells cost a third
        of a page assembled from cached rows."""
        # A ranking's page knows its rows' keys before they are read
        # (``FetchedWhenRead``): they are read only where not rendered yet.
        rows = self.paginated_rows
        records = (
            rows.data
            if isinstance(rows.data, FetchedWhenRead)
            else FetchedWhenRead.already_read(row.record for row in rows)
        )
        columns = list(self.columns)
        # A column whose cells depend on more than the row (an average's benchmarks)
        # says so in ``row_key``: rows rendered for another are kept apart.
        signature = f"{type(self).__name__}:" + str(
            [(bound.name, getattr(bound.column, "row_key", "")) for bound in columns]
        )

        def render(records):
            self.prepare_records(records)
            self.prepare_columns(columns, records)
            cells = [(bound.attrs["td"].as_html(), bound.column.cell) for bound in columns]
            return [
                (
                    "<tr>"
                    + "".join(f"<td {attrs}>{html_of(cell(record))}</td>" for attrs, cell in cells)
                    + "</tr>",
                    row_facts(columns, record),
                )
                for record in records
            ]

        # A table rendered outside a request (no RequestConfig) renders every row.
        request = getattr(self, "request", None)
        return rows_per_data_version(request, signature, records, render)

    def rendered_body(self):
        """The shown rows' HTML, "" for none."""
        return mark_safe("\n".join(row for row, _ in self.rendered))

    def shows_values(self, benchmark):
        """Whether any shown row has a value (not only a place) on ``benchmark``."""
        return any(benchmark.pk in facts.valued for _, facts in self.rendered)

    def export_records(self, columns, prepare_records=None):
        """Every row in the table's order, read and prepared (``prepare_records``, by
        default the table's own) a chunk at a time, so an export streams out as it
        goes instead of holding every row first."""
        prepare_records = prepare_records or self.prepare_records
        total = len(self.data)
        # Rows in a ranking's order come as their keys, read once, and the rows of
        # each chunk are read as it comes (``FetchedWhenRead``); a chunk sliced from
        # the ranking each time read its order again (10 times for 10,000 rows).
        rows = self.data[0:total]
        for start in range(0, total, EXPORT_CHUNK):
            records = list(rows[start : start + EXPORT_CHUNK])
            prepare_records(records)
            self.prepare_columns(columns, records)
            yield from records

    def export_columns(self, exclude_columns=()):
        return [
            bound
            for bound in self.columns.iterall()
            if not (bound.column.exclude_from_export or bound.name in exclude_columns)
        ]

    def as_values(self, exclude_columns=None):
        """Every row, under plain-text headers (a generator: rows are read as it
        goes)."""
        columns = self.export_columns(exclude_columns or ())
        yield self.export_headers(columns)
        values = [bound.column.value for bound in columns]
        for record in self.export_records(columns):
            yield [value(record) for value in values]

    @staticmethod
    def export_headers(columns):
        return [
            getattr(bound.column, "export_header", None) or str(bound.header) for bound in columns
        ]


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
    # The form the page puts beside the table, which the model names' checkboxes
    # belong to.
    COMPARE_FORM = "compare-form"
    # The model facts a reader may show beside the scores (``?facts=``), and those
    # shown by default: few enough that at 1280 px every column fits beside the
    # benchmarks. Exports hold them all.
    FACTS = {
        "organization": "Organization",
        "release_date": "Release date",
        "total_parameters": "Total parameters",
        "active_parameters": "Active parameters",
        "context_window_tokens": "Context window",
        "open_weights": "Open weights",
        "open_training_data": "Open training data",
        "open_training_code": "Open training code or recipe",
    }
    DEFAULT_FACTS = ["organization", "release_date", "active_parameters", "open_weights"]

    name = ComparableModelColumn(
        "Model", url_name="model", form_id=COMPARE_FORM, attrs={"td": {"class": "model"}}
    )
    release_date = DateColumn("Released", attrs={"td": {"class": "date"}})
    total_parameters = CountColumn("Total params")
    active_parameters = CountColumn("Active params")
    context_window_tokens = CountColumn("Context")
    open_weights = OpennessColumn("Weights")
    open_training_data = OpennessColumn("Data")
    open_training_code = OpennessColumn("Recipe")

    class Meta(ModelTable.Meta):
        empty_text = "No models match these filters."

    def __init__(
        self,
        data,
        benchmarks=(),
        ranking_benchmark=None,
        sorted_fact=None,
        average=None,
        **kwargs,
    ):
        """``benchmarks``: one column each, keyed by ``benchmark_key``.
        ``ranking_benchmark``: the benchmark the Rank column places models on; the
        table is in its order (best first) unless a reader sorts by another column.
        ``average``: an ``AverageColumn`` (a suite's or the reader's benchmarks
        averaged), shown right after the model's name.
        The column the rows are sorted by comes right after the model's name
        (``ranking_benchmark``'s, or ``sorted_fact``'s), so it is in view at any
        width however many columns are shown."""
        benchmarks = sorted(benchmarks, key=lambda b: b != ranking_benchmark)
        extra = []
        if ranking_benchmark is not None:
            extra.append(("rank", RankColumn(ranking_benchmark)))
            kwargs.setdefault("order_by", "rank")
        if average is not None:
            extra.append(("average", average))
        for benchmark in benchmarks:
            extra.append((benchmark_key(benchmark), BenchmarkColumn(benchmark)))
        for benchmark in benchmarks:
            for part in (CLAIM, QUOTE, PASSAGE):
                key = f"{BenchmarkTextColumn.HEADERS[part]}-{benchmark.slug}"
                extra.append((key, BenchmarkTextColumn(benchmark, part)))
        # Scores first: rank, model, the benchmark columns, then the model's facts.
        first = ["rank"] if ranking_benchmark is not None else []
        if sorted_fact in self.FACTS and sorted_fact not in kwargs.get("exclude", ()):
            scores = [sorted_fact, *(benchmark_key(b) for b in benchmarks)]
        else:
            scores = [benchmark_key(b) for b in benchmarks]
        if average is not None:
            # Right after the name, unless the rows are sorted by another column.
            sorted_by_other = sorted_fact in self.FACTS or (
                ranking_benchmark is not None and sorted_fact == benchmark_key(ranking_benchmark)
            )
            scores.insert(1 if sorted_by_other and scores else 0, "average")
        kwargs.setdefault("sequence", [*first, "name", *scores, "..."])
        super().__init__(data, extra_columns=extra, **kwargs)
        self.benchmarks, self.ranking_benchmark = list(benchmarks), ranking_benchmark
        self.caption = (
            f"Open models, ranked on {ranking_benchmark.name}"
            if ranking_benchmark
            else "Open models"
        )

    def prepare_records(self, records):
        attach_headline_results(records, self.benchmarks)

    def as_values(self, exclude_columns=None):
        """Every row, under plain-text headers (a generator: rows are read as it
        goes). The benchmarks' two texts each (a column's
        ``text_part``: its figure, whose claim it is), most of the cells, come as text
        from the read itself (``attach_headline_texts``); the other columns give
        their ``value``."""
        columns = self.export_columns(exclude_columns or ())
        yield self.export_headers(columns)
        called = [b for b in columns if getattr(b.column, "text_part", None) is None]
        texted = [b for b in columns if getattr(b.column, "text_part", None) is not None]
        slots = [(b.column.headline_key, b.column.text_part) for b in texted]
        # A row is made as the called columns' values then the texts; this puts each
        # cell back in its column's place.
        made = [*called, *texted]
        order = [made.index(bound) for bound in columns]
        values = [bound.column.value for bound in called]
        ranked = [self.ranking_benchmark] if self.ranking_benchmark else []

        base_url = self.request.build_absolute_uri("/").rstrip("/")
        names = ClaimNames()

        def prepare(records):
            attach_headline_results(records, ranked, HeadlineScore)  # the Rank column's places
            attach_headline_texts(records, slots, base_url, names)

        for record in self.export_records(called, prepare):
            cells = [value(record) for value in values]
            cells += record.export_texts
            yield [cells[at] for at in order]

    def as_json(self, base_url):
        """Every row as the pieces of its JSON text (a generator: rows are read as it
        goes): the columns' typed values (a column's ``typed``, else its ``value``;
        slugs and page URLs under ``base_url``) keyed by column name or ``json_key``,
        and under ``"results"`` (where the benchmark columns stand) each shown
        benchmark's headline result by its slug, or null. The results, most of the
        export, come as JSON text from the read itself (``attach_headline_json``);
        columns with no key are left out."""
        columns = [
            bound
            for bound in self.export_columns()
            if getattr(bound.column, "json_key", bound.name) is not None
        ]
        results = [b for b in columns if getattr(b.column, "json_group", None) == "results"]
        split = columns.index(results[0]) if results else len(columns)
        called = [b for b in columns if b not in results]
        shapes = [
            (
                split > columns.index(bound),
                getattr(bound.column, "json_key", bound.name),
                getattr(bound.column, "typed", None),
                bound.column.value,
            )
            for bound in called
        ]
        shown = [bound.column.benchmark for bound in results]
        made = headline_json(shown, base_url)
        # The Rank column's places: read with the results where its benchmark is
        # among them, else apart.
        ranked = self.ranking_benchmark
        if ranked is not None and made.shows(ranked):
            with_results, apart = ranked, []
        else:
            with_results, apart = None, [ranked] if ranked else []

        def prepare(records):
            attach_headline_results(records, apart, HeadlineScore)
            attach_headline_json(records, shown, made, with_results)

        for record in self.export_records(called, prepare):
            before, after = {}, {}
            for is_before, key, typed, value in shapes:
                (before if is_before else after)[key] = (
                    typed(record, base_url) if typed else value(record)
                )
            parts = [inner(before)]
            if results:
                parts.append(f'"results": {{{", ".join(record.export_json)}}}')
            parts.append(inner(after))
            # The row's pieces, joined into the chunk (``exports.json_chunks``).
            yield ("{", ", ".join(part for part in parts if part), "}")

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
        # Scores first: the place, the model, its result, then the model's facts.
        sequence = ("rank", "name", "result", "organization", "active_parameters")
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
            else "highest first; the direction is not reported, so a model's place is only "
            "one its source states"
        )
        self.caption = f"{benchmark.name}: models with a result, {order}"
