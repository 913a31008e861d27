"""The leaderboard: every model, one column per chosen benchmark."""

from typing import NamedTuple

from django.http import HttpResponseBadRequest, HttpResponseRedirect
from django.utils.functional import cached_property
from django_filters.views import FilterView
from django_tables2 import RequestConfig, SingleTableMixin
from django_tables2.export import ExportMixin

from ..models import AIModel, Benchmark, Organization, Result
from ..models.catalogue import citation_marks
from ..models.suites import averaging_errors
from ..reading import charts
from ..reading.exports import csv_chunks, json_chunks, streamed
from ..rules.ranking import Ranking, among, leaders
from ..tables import LeaderboardTable
from ..tables.suites import AverageColumn
from ..web.caching import filters_key, per_data_version
from ..web.filters import ModelFilter
from .paging import NotFoundPastTheEndMixin, checkboxes, count_up_to, without_empty_parameters
from .suites import average_options, averages_for

# How many benchmark columns the leaderboard shows when none is featured.
DEFAULT_COLUMN_COUNT = 5
# How many benchmarks' leaders the summary above the table names.
MAX_LEADERS = 6
# Rows a filtered leaderboard counts before it says "more than" (``count_up_to``).
FILTERED_COUNT_BOUND = 1000


class Choice(NamedTuple):
    """A checkbox's value and label, as ``checkboxes`` reads rows."""

    slug: str
    name: str


def typed_export(table, request):
    """The leaderboard as typed JSON: its head (what it is ranked on, the benchmarks
    shown, how many rows) and its rows as JSON texts, a generator
    (``LeaderboardTable.as_json``), in the page's filter and sort order."""
    base_url = request.build_absolute_uri("/").rstrip("/")

    def benchmark(b):
        return {
            "slug": b.slug,
            "name": b.name,
            "unit": b.unit or None,
            "higher_is_better": b.higher_is_better,
            "url": base_url + b.get_absolute_url(),
        }

    head = {
        "ranked_on": benchmark(table.ranking_benchmark) if table.ranking_benchmark else None,
        "benchmarks": [benchmark(b) for b in table.benchmarks],
        "count": len(table.data),
    }
    return head, table.as_json(base_url)


def at_a_glance(benchmarks, kept=None, data=None):
    """What the summary above the leaderboard says: how many models, benchmarks and
    results there are, and who leads each featured benchmark (else the first few)
    among the models the filters keep (``kept``: None for every model). The counts are
    the data version's (``data``), where it counted them."""
    featured = [b for b in benchmarks if b.featured] or benchmarks
    counted = data is not None and data.result_count is not None
    return {
        "model_count": data.model_count if counted else AIModel.objects.count(),
        "benchmark_count": len(benchmarks),
        "result_count": data.result_count if counted else Result.objects.count(),
        "leaders": list(leaders(featured[:MAX_LEADERS], kept).items()),
        "filtered": kept is not None,
    }


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
    export_formats = ("csv", "json")
    export_name = "leaderboard"

    def get(self, request, *args, **kwargs):
        permalink = without_empty_parameters(request)
        if permalink is not None:
            return HttpResponseRedirect(permalink)
        export_format = request.GET.get(self.export_trigger_param)
        if export_format is None:
            return super().get(request, *args, **kwargs)
        if export_format not in self.export_formats:
            offered = " or ".join(self.export_formats)
            return HttpResponseBadRequest(
                f"No export as {export_format!r}: this page exports {offered}.",
                content_type="text/plain; charset=utf-8",
            )
        # The rows as FilterView.get filters them (an invalid filter is ignored: not
        # strict), without the page around them.
        self.filterset = self.get_filterset(self.get_filterset_class())
        self.filterset.is_valid()
        self.object_list = self.filterset.qs
        return self.create_export(export_format)

    def create_export(self, export_format):
        """The whole filtered, sorted view, streamed as it is read: at 10,000 models ×
        50 benchmarks, building it whole first held a worker for seconds."""
        table = self.get_table_class()(self.get_table_data(), **self.get_table_kwargs())
        RequestConfig(self.request, paginate=False).configure(table)
        filename = self.get_export_filename(export_format)
        if export_format == "csv":
            return streamed(csv_chunks(table.as_values()), "text/csv; charset=utf-8", filename)
        head, rows = typed_export(table, self.request)
        return streamed(json_chunks(head, rows), "application/json", filename)

    def setup(self, request, *args, **kwargs):
        super().setup(request, *args, **kwargs)
        # Every benchmark with its versions, read once per data version: fifty of them
        # cost more to read than a page of cached rows.
        self.benchmarks = per_data_version(
            request, "benchmarks", "", lambda: list(Benchmark.objects.with_versions())
        )
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
        facts = LeaderboardTable.FACTS
        asked = request.GET.getlist("facts")
        self.unknown_facts = [name for name in asked if name not in facts]
        shown_facts = {name for name in asked if name in facts} or set(
            LeaderboardTable.DEFAULT_FACTS
        )
        sort = (request.GET.get("sort") or "").removeprefix("-")
        if sort in facts:
            shown_facts.add(sort)  # the column a reader sorts by stays in view
        self.shown_facts = [name for name in facts if name in shown_facts]
        # The Rank column places models on the sorted benchmark, else the first shown.
        self.ranking_benchmark = sorted_benchmark or next(iter(self.shown_benchmarks), None)
        self.average_benchmarks, self.average_ignored = self.averaged(by_slug)

    def averaged(self, by_slug):
        """The benchmarks ``?average=`` names (slugs, comma-separated; ``on``: the
        shown ones) that an average can use, and what was ignored, as sentences."""
        asked = [
            slug.strip()
            for value in self.request.GET.getlist("average")
            for slug in value.split(",")
            if slug.strip()
        ]
        if asked == ["on"]:
            asked = [b.slug for b in self.shown_benchmarks]
        chosen, ignored = [], []
        for slug in dict.fromkeys(asked):
            benchmark = by_slug.get(slug)
            if benchmark is None:
                ignored.append(f"Average of {slug!r}: no benchmark has that name.")
            elif errors := averaging_errors(benchmark):
                ignored.extend(f"Average: {error}" for error in errors)
            else:
                chosen.append(benchmark)
        return chosen, ignored

    def average_column(self):
        """The Average column over the reader's benchmarks, or None (none asked, or
        the average cannot be computed as asked: the page says why)."""
        if not self.average_benchmarks:
            return None
        normalisation, independent, ignored = average_options(self.request)
        self.average_ignored += ignored
        computed = averages_for(self.request, self.average_benchmarks, normalisation, independent)
        if computed.unavailable:
            self.average_ignored += [f"Average: {reason}" for reason in computed.unavailable]
            return None
        return AverageColumn(computed, self.average_benchmarks)

    def get_queryset(self):
        # The table orders the rows: by the ranking benchmark unless a reader sorts.
        models = AIModel.objects.with_organization().annotate(**citation_marks()).order_by("name")
        # The table fetches the shown rows' results (LeaderboardTable.prepare_records).
        return models

    def ignored_elsewhere(self):
        return [
            *(f"Column {slug!r}: no benchmark has that name." for slug in self.unknown_columns),
            *(f"Fact {name!r}: no model fact has that name." for name in self.unknown_facts),
            *self.average_ignored,
        ]

    def row_counter(self):
        # The filtered models, without the ranking join the table sorts them by;
        # counted once per data version and filters, for every sort and page of them.
        # Under a filter, counted no further than FILTERED_COUNT_BOUND: the count reads
        # every model it passes over (240 ms at 100,000 for the exact one).
        if self.filters_set:
            count = lambda: count_up_to(self.object_list, FILTERED_COUNT_BOUND)  # noqa: E731
        else:
            count = self.object_list.order_by().count
        return lambda: self.shared_part("count", count)

    def get_table_kwargs(self):
        kwargs = {
            "benchmarks": self.shown_benchmarks,
            "ranking_benchmark": self.ranking_benchmark,
            "sorted_fact": (self.request.GET.get("sort") or "").removeprefix("-"),
            "average": self.average_column(),
        }
        if self.request.GET.get(self.export_trigger_param) is None:
            # The page shows the chosen facts; an export holds them all.
            kwargs["exclude"] = [f for f in LeaderboardTable.FACTS if f not in self.shown_facts]
        return kwargs

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
            fact_choices=checkboxes(
                "facts",
                [Choice(name, label) for name, label in LeaderboardTable.FACTS.items()],
                self.shown_facts,
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
            average_on=self.request.GET.get("average") == "on",
            glance=self.shared_part(
                "glance",
                lambda: at_a_glance(
                    self.benchmarks,
                    self.kept_models(),
                    getattr(self.request, "data_version", None),
                ),
                featured=[b.pk for b in self.benchmarks if b.featured],
            ),
            scatter=self.shared_part(
                "scatter",
                self.scatter,
                benchmark=self.ranking_benchmark.pk if self.ranking_benchmark else None,
            ),
        )
        return context

    def shared_part(self, name, compute, **depends_on):
        """A part of the page that depends only on the data, the filters and
        ``depends_on``, not on the sort, page or columns: made once per data version
        for every URL that shares them (``caching.per_data_version``)."""
        key = f"{sorted(depends_on.items())}|{self.filters_set}"
        return per_data_version(self.request, name, key, compute)

    @cached_property
    def filters_set(self):
        """The filters as the form cleaned them, as a key (``filters_key``; "" for
        none), worked out once a request: chosen organizations and benchmarks are read
        to make it."""
        return filters_key(getattr(self.filterset.form, "cleaned_data", {}))

    def scatter(self):
        """The ranking benchmark's scores against active parameters, for the
        models the filters keep."""
        benchmark = self.ranking_benchmark
        if benchmark is None:
            return None
        ranking = Ranking(benchmark)
        results = ranking.sized_values()
        kept = self.kept_models()
        if kept is not None:
            results = results.filter(among(kept))
        return charts.scatter(ranking.top_values(results, charts.MAX_POINTS), benchmark)

    def kept_models(self):
        """The AI models the reader's filters keep, without the table's ordering and
        annotations, or None when no filter is set (every model)."""
        if not self.filters_set:
            return None
        return self.filterset.filter_queryset(AIModel.objects.all())
