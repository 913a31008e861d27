"""Suites: the list, and a suite's page of averages (``rules.averages``)."""

from django.utils.functional import cached_property
from django.views.generic import DetailView, ListView
from django_tables2 import SingleTableMixin

from ..models import Suite
from ..rules import averages, standings
from ..rules.averages import suite_benchmarks
from ..tables.suites import SuiteTable
from ..web.caching import per_data_version
from .paging import NotFoundPastTheEndMixin

# Models missing some of a suite's benchmarks that the page lists by name.
INCOMPLETE_LISTED = 100


def computed_averages(request, benchmarks, normalisation, independent):
    """``averages.suite_averages`` over ``benchmarks`` (from ``suite_benchmarks`` or
    the reader's), made once per data version, benchmarks and options for the suite's
    page, the leaderboard's Average column and the API alike
    (``caching.per_data_version``)."""
    return per_data_version(
        request,
        "averages",
        averages.options_key(benchmarks, normalisation, independent),
        lambda: averages.suite_averages(benchmarks, normalisation, independent),
    )


def averages_for(request, benchmarks, normalisation, independent, suite=None):
    """A suite's averages as the pages read them: stored (``rules.standings``) for
    ``suite``, or for the suite whose benchmarks ``benchmarks`` are; computed
    (``computed_averages``) for another set of benchmarks, or a page of the past."""
    if getattr(request, "as_of", None) is not None:
        suite = None
    elif suite is None:
        suite = standings.suite_of(benchmarks)
        # In the suite's order: an average's inputs are listed as the suite lists them.
        benchmarks = suite_benchmarks(suite) if suite else benchmarks
    unavailable = averages.unavailable(benchmarks, normalisation)
    if suite is None or unavailable:
        return computed_averages(request, benchmarks, normalisation, independent)
    return standings.StoredAverages(suite, benchmarks, normalisation, independent, unavailable)


def average_options(request):
    """(normalisation, independent only, what was ignored) from the query string:
    ``?normalisation=plain|normalised``, ``?independent=on``."""
    ignored = []
    normalisation = request.GET.get("normalisation", averages.PLAIN)
    if normalisation not in averages.NORMALISATIONS:
        ignored.append(
            f"Normalisation {normalisation!r}: one of "
            f"{', '.join(averages.NORMALISATIONS)}; showing the plain mean."
        )
        normalisation = averages.PLAIN
    independent = request.GET.get("independent", "")
    if independent not in ("", "on"):
        ignored.append(f'Independent {independent!r}: "on" or nothing; counting claims.')
        independent = ""
    return normalisation, independent == "on", ignored


class SuiteListView(ListView):
    template_name = "leaderboard/suite_list.html"
    context_object_name = "suites"
    queryset = Suite.objects.prefetch_related("members__benchmark")


class SuiteDetailView(NotFoundPastTheEndMixin, SingleTableMixin, DetailView):
    """A suite's averages, computed from the results shown, as the reader asks:
    ``?normalisation=plain|normalised``, ``?independent=on``."""

    queryset = Suite.objects.all()
    template_name = "leaderboard/suite_detail.html"
    table_class = SuiteTable

    def get_object(self, queryset=None):
        if not hasattr(self, "object"):
            self.object = super().get_object(queryset)
        return self.object

    @cached_property
    def asked(self):
        """(normalisation, independent only, what was ignored), read once a request.
        Not named ``options``: that is View's handler of the OPTIONS method."""
        return average_options(self.request)

    @cached_property
    def benchmarks(self):
        return suite_benchmarks(self.get_object())

    @cached_property
    def computed(self):
        """The suite's averages, made once per data version and options."""
        normalisation, independent, _ = self.asked
        return averages_for(
            self.request, self.benchmarks, normalisation, independent, self.get_object()
        )

    def get_table_data(self):
        return self.computed.averages

    def get_table_kwargs(self):
        normalisation, independent, _ = self.asked
        return {
            "benchmarks": self.benchmarks,
            "normalisation": normalisation,
            "independent": independent,
            "sorted_by": (self.request.GET.get("sort") or "").removeprefix("-"),
        }

    def ignored_elsewhere(self):
        return self.asked[2]

    def incomplete_listed(self, rows):
        """(name, slug, names of the benchmarks missed) for ``rows``, incomplete."""
        benchmarks = {b.pk: b.name for b in self.benchmarks}
        models = averages.names_of(row.model_id for row in rows)
        return [(*models[row.model_id], [benchmarks[pk] for pk in row.missing]) for row in rows]

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        computed = self.computed
        normalisation, independent, _ = self.asked
        context.update(
            benchmarks=self.benchmarks,
            computed=computed,
            normalisation=normalisation,
            normalisations=averages.NORMALISATIONS,
            independent=independent,
            formula=averages.formula(normalisation),
            formula_short=averages.formula_short(normalisation),
            incomplete=self.incomplete_listed(computed.incomplete[:INCOMPLETE_LISTED]),
            incomplete_more=max(0, len(computed.incomplete) - INCOMPLETE_LISTED),
            baselines=[
                (b, averages.cited_baseline(b), averages.scale_of(b)) for b in self.benchmarks
            ],
        )
        return context
