"""Public pages. Everything a view shows is in its URL (sort, filters, columns,
page), so any view is a permalink; bad values fall back to defaults, never a 500."""

from django.core.paginator import EmptyPage, Paginator
from django.db.models import Count, Prefetch
from django.http import Http404, HttpResponseBadRequest, HttpResponseRedirect
from django.utils.functional import cached_property
from django.utils.html import escape
from django.utils.safestring import mark_safe
from django.views.generic import DetailView, ListView
from django_filters.views import FilterView
from django_tables2 import SingleTableMixin
from django_tables2.export import ExportMixin

from . import charts
from .exports import SafeTableExport
from .filters import ModelFilter
from .models import AIModel, Benchmark, ModelCitation, Organization, ResultQuerySet, Source
from .models.catalogue import citation_marks
from .passages import marked_paragraphs
from .ranking import Ranking, with_claim_names, with_headline_results
from .tables import BenchmarkRankingTable, LeaderboardTable

# How many benchmark columns the leaderboard shows when none is featured.
DEFAULT_COLUMN_COUNT = 5


class BoundedPaginator(Paginator):
    """Shows a reader's ``?per_page=`` when it lies between 1 and MAX_PER_PAGE rows,
    else the default (and the page says the value was ignored)."""

    DEFAULT_PER_PAGE = 50
    MAX_PER_PAGE = 500

    def __init__(self, object_list, per_page, *args, count_rows=None, **kwargs):
        if not 1 <= int(per_page) <= self.MAX_PER_PAGE:
            per_page = self.DEFAULT_PER_PAGE
        super().__init__(object_list, per_page, *args, **kwargs)
        self.count_rows = count_rows

    @cached_property
    def count(self):
        """``count_rows()`` where a view gives it: the rows counted without the joins
        that only order them."""
        return self.count_rows() if self.count_rows else super().count


PAGINATION = {
    "per_page": BoundedPaginator.DEFAULT_PER_PAGE,
    "silent": False,
    "paginator_class": BoundedPaginator,
}


def without_empty_parameters(request):
    """The page's address without the parameters a submitted form left empty
    (``?q=&total_min=&…``), so what a reader copies is the permalink of what they see;
    None when there are none."""
    query = request.GET.copy()
    changed = False
    for key, values in list(query.lists()):
        kept = [value for value in values if value.strip()]
        if len(kept) != len(values):
            changed = True
            if kept:
                query.setlist(key, kept)
            else:
                del query[key]
    if not changed:
        return None
    encoded = query.urlencode()
    return request.path + (f"?{encoded}" if encoded else "")


class NotFoundPastTheEndMixin:
    """A page number past the end (or below 1) answers 404; one that is not a
    number shows the first page (django-tables2 ignores it)."""

    table_pagination = PAGINATION

    def row_counter(self):
        """A function counting the table's rows without sorting them, or None to
        count the table's data as django-tables2 does."""
        return None

    def get_table_pagination(self, table):
        pagination = super().get_table_pagination(table)
        counter = self.row_counter()
        if pagination and counter is not None:
            pagination = {**pagination, "count_rows": counter}
        return pagination

    def get_table(self, **kwargs):
        try:
            table = super().get_table(**kwargs)
        except EmptyPage as error:
            raise Http404(f"No such page: {error}") from error
        self.ignored = self.ignored_parameters(table)
        return table

    def ignored_parameters(self, table):
        """What the page ignored of its query string, each as a sentence, so a reader
        is told, as for a filter value that does not parse."""
        ignored = []
        per_page = self.request.GET.get(table.prefixed_per_page_field)
        if per_page is not None and not (
            per_page.isdigit() and 1 <= int(per_page) <= BoundedPaginator.MAX_PER_PAGE
        ):
            ignored.append(
                f"Rows per page {per_page!r}: a whole number from 1 to "
                f"{BoundedPaginator.MAX_PER_PAGE}; showing {table.paginator.per_page}."
            )
        page = self.request.GET.get(table.prefixed_page_field)
        if page is not None and not page.lstrip("-").isdigit():
            ignored.append(f"Page {page!r}: not a page number; showing the first page.")
        for sort in self.request.GET.getlist(table.prefixed_order_by_field):
            name = sort.removeprefix("-")
            if name not in table.columns.names() or not table.columns[name].orderable:
                ignored.append(f"Sort {sort!r}: no column sorts by that name.")
        return ignored

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["ignored"] = [*getattr(self, "ignored", []), *self.ignored_elsewhere()]
        return context

    def ignored_elsewhere(self):
        """Ignored parameters a view checks itself (the leaderboard's ``show``)."""
        return []


class LeaderboardView(NotFoundPastTheEndMixin, ExportMixin, SingleTableMixin, FilterView):
    """Every model, one column per chosen benchmark, filterable, sortable, exportable.

    Queries stay constant as models and benchmarks grow: the benchmarks, the filter
    form's choices, the count, the page of models, and the page's headline results.
    """

    template_name = "leaderboard/index.html"
    filterset_class = ModelFilter
    table_class = LeaderboardTable
    # An invalid filter value is reported on the form and ignored, not an empty page.
    strict = False
    export_class = SafeTableExport
    export_formats = ("csv", "json")
    export_name = "leaderboard"

    def get(self, request, *args, **kwargs):
        permalink = without_empty_parameters(request)
        if permalink is not None:
            return HttpResponseRedirect(permalink)
        export_format = request.GET.get(self.export_trigger_param)
        if export_format is not None and export_format not in self.export_formats:
            offered = " or ".join(self.export_formats)
            return HttpResponseBadRequest(
                f"No export as {export_format!r}: this page exports {offered}.",
                content_type="text/plain; charset=utf-8",
            )
        return super().get(request, *args, **kwargs)

    def setup(self, request, *args, **kwargs):
        super().setup(request, *args, **kwargs)
        self.benchmarks = list(Benchmark.objects.prefetch_related("versions"))
        by_slug = {b.slug: b for b in self.benchmarks}
        chosen = [by_slug[s] for s in request.GET.getlist("show") if s in by_slug]
        self.unknown_columns = [s for s in request.GET.getlist("show") if s not in by_slug]
        if not chosen:
            chosen = [b for b in self.benchmarks if b.featured] or self.benchmarks[
                :DEFAULT_COLUMN_COUNT
            ]
        sorted_benchmark = LeaderboardTable.sorted_benchmark(
            request.GET.get("sort"), self.benchmarks
        )
        if sorted_benchmark and sorted_benchmark not in chosen:
            chosen.append(sorted_benchmark)
        self.shown_benchmarks = sorted(set(chosen), key=self.benchmarks.index)
        # The Rank column places models on the sorted benchmark, else the first shown.
        self.ranking_benchmark = sorted_benchmark or next(iter(self.shown_benchmarks), None)

    def get_queryset(self):
        # The table orders the rows: by the ranking benchmark unless a reader sorts.
        models = AIModel.objects.with_organization().annotate(**citation_marks()).order_by("name")
        return with_headline_results(models, self.shown_benchmarks)

    def ignored_elsewhere(self):
        return [f"Column {slug!r}: no benchmark has that name." for slug in self.unknown_columns]

    def row_counter(self):
        # The filtered models, without the ranking join the table sorts them by.
        return self.object_list.order_by().count

    def get_table_kwargs(self):
        return {
            "benchmarks": self.shown_benchmarks,
            "ranking_benchmark": self.ranking_benchmark,
        }

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        shown = {b.pk for b in self.shown_benchmarks}
        context.update(
            benchmarks=self.benchmarks,
            shown_slugs={b.slug for b in self.shown_benchmarks},
            # Checkboxes built here: fifty widgets, or fifty turns of a template loop,
            # cost more than the rest of the form.
            column_choices=checkboxes(
                "show", self.benchmarks, [b.slug for b in self.benchmarks if b.pk in shown]
            ),
            organization_choices=checkboxes(
                "organization",
                Organization.objects.only("slug", "name"),
                self.request.GET.getlist("organization"),
            ),
            result_choices=checkboxes(
                "has_results", self.benchmarks, self.request.GET.getlist("has_results")
            ),
            ranking_benchmark=self.ranking_benchmark,
            scatter=self.scatter(),
        )
        return context

    def scatter(self):
        """The ranking benchmark's scores against active parameters, for the
        models the filters keep."""
        benchmark = self.ranking_benchmark
        if benchmark is None:
            return None
        ranking = Ranking(benchmark)
        results = ranking.results().filter(value__isnull=False, model__active_parameters__gt=0)
        if any(getattr(self.filterset.form, "cleaned_data", {}).values()):
            kept = self.filterset.filter_queryset(AIModel.objects.all())
            results = results.filter(model__in=kept.values("pk"))
        return charts.scatter(ranking.top_values(results, charts.MAX_POINTS), benchmark)


def checkboxes(field, rows, chosen_slugs):
    """A labelled checkbox for each row (with a slug and a name), as HTML."""
    chosen = set(chosen_slugs)
    return mark_safe(
        "".join(
            f'<label><input type="checkbox" name="{field}" value="{escape(row.slug)}"'
            f"{' checked' if row.slug in chosen else ''}> {escape(row.name)}</label> "
            for row in rows
        )
    )


class BenchmarkListView(ListView):
    template_name = "leaderboard/benchmark_list.html"
    context_object_name = "benchmarks"

    def get_queryset(self):
        return Benchmark.objects.annotate(
            model_count=Count("results__model", distinct=True)
        ).prefetch_related("versions")


class BenchmarkDetailView(NotFoundPastTheEndMixin, SingleTableMixin, DetailView):
    """A benchmark, what it measures and how to read it, its ranking and a chart."""

    queryset = Benchmark.objects.prefetch_related("versions")
    template_name = "leaderboard/benchmark_detail.html"
    table_class = BenchmarkRankingTable

    def get_object(self, queryset=None):
        if not hasattr(self, "object"):
            self.object = super().get_object(queryset)
        return self.object

    def get_table_data(self):
        # The table orders the rows: best first unless a reader sorts.
        return with_claim_names(
            Ranking(self.object)
            .results()
            .select_related("model__organization")
            .annotate(**citation_marks("model_id"))
        )

    def get_table_kwargs(self):
        return {"benchmark": self.get_object()}

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        benchmark = self.object
        context.update(
            citations=benchmark.citations.select_related("source"),
            versions=benchmark.versions.all(),
            chart=charts.bars(Ranking(benchmark).top(charts.MAX_BARS), benchmark),
        )
        return context


class ModelDetailView(DetailView):
    """Every fact about a model with its source and quote, and every result."""

    model = AIModel
    template_name = "leaderboard/model_detail.html"
    queryset = AIModel.objects.with_organization().prefetch_related(
        "aliases",
        Prefetch("citations", queryset=ModelCitation.objects.select_related("source")),
    )

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        model = self.object
        citations = {}
        for citation in model.citations.all():
            citations.setdefault(citation.attribute, []).append(citation)
        results = model.results.select_related(
            "benchmark", "version", "source", "claimed_by"
        ).order_by("benchmark__name", *ResultQuerySet.PREFERENCE)
        context.update(facts=model_facts(model, citations), results=results)
        return context


def model_facts(model, citations):
    """(label, value, citations) for each fact the model page lists; a value of None
    is shown as "not reported"."""

    def count(value, unit=""):
        return None if value is None else f"{value:,}{unit}"

    rows = [
        ("Name", model.name, "name"),
        ("Description", model.description or None, "description"),
        ("Organization", model.organization, "organization"),
        ("Aliases", ", ".join(a.name for a in model.aliases.all()) or None, "aliases"),
        ("Release date", model.release_date, "release_date"),
        ("Total parameters", count(model.total_parameters), "total_parameters"),
        ("Active parameters", count(model.active_parameters), "active_parameters"),
        ("Context window", count(model.context_window_tokens, " tokens"), "context_window_tokens"),
        ("Open weights", model.get_open_weights_display(), "open_weights"),
        ("Open training data", model.get_open_training_data_display(), "open_training_data"),
        (
            "Open training code or recipe",
            model.get_open_training_code_display(),
            "open_training_code",
        ),
        ("Licence", model.license or None, "license"),
    ]
    return [
        (label, None if value == "Not reported" else value, citations.get(attribute, []))
        for label, value, attribute in rows
    ]


# Rows a list on an organization's or a source's page shows at a time.
LIST_PAGE_SIZE = 100


def page_of(request, rows, parameter):
    """One page of a list on a detail page (``?parameter=N``): a number that is not a
    page shows the first, one past the end the last (``Paginator.get_page``). The page
    carries links to its neighbours that keep the other parameters."""
    page = Paginator(rows, LIST_PAGE_SIZE).get_page(request.GET.get(parameter))

    def link(number):
        query = request.GET.copy()
        query[parameter] = number
        return f"?{query.urlencode()}"

    page.parameter = parameter
    page.previous_url = link(page.previous_page_number()) if page.has_previous() else None
    page.next_url = link(page.next_page_number()) if page.has_next() else None
    return page


class OrganizationDetailView(DetailView):
    model = Organization
    template_name = "leaderboard/organization_detail.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        organization = self.object
        context.update(
            models=page_of(self.request, organization.models.order_by("name", "pk"), "models"),
            claimed_results=page_of(
                self.request,
                organization.claimed_results.select_related(
                    "model", "benchmark", "source"
                ).order_by("model__name", "benchmark__name", "pk"),
                "claims",
            ),
        )
        return context


class SourceDetailView(DetailView):
    model = Source
    template_name = "leaderboard/source_detail.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        source, request = self.object, self.request
        results = source.results.select_related("model", "benchmark", "version", "claimed_by")
        model_citations = source.modelcitations.select_related("model")
        benchmark_citations = source.benchmarkcitations.select_related("benchmark")
        paragraphs, unfound = [], []
        if source.is_verifiable:
            # Each distinct quote once, whatever page of the lists is shown.
            quotes = [
                *results.values_list("quote", flat=True).distinct(),
                *model_citations.values_list("quote", flat=True).distinct(),
                *benchmark_citations.values_list("quote", flat=True).distinct(),
            ]
            paragraphs, unfound = marked_paragraphs(source.raw_text, quotes)
        context.update(
            results=page_of(
                request, results.order_by("model__name", "benchmark__name", "pk"), "results"
            ),
            model_citations=page_of(
                request, model_citations.order_by("model__name", "attribute", "pk"), "facts"
            ),
            benchmark_citations=page_of(
                request,
                benchmark_citations.order_by("benchmark__name", "attribute", "pk"),
                "benchmark_facts",
            ),
            paragraphs=paragraphs,
            unfound=unfound,
        )
        return context
