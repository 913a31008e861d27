from django.db.models import Prefetch
from django.views.generic import ListView
from django_tables2 import SingleTableMixin

from .models import AIModel, Benchmark, Result
from .tables import LeaderboardTable


class LeaderboardView(SingleTableMixin, ListView):
    """Every model, one column per benchmark. A constant number of queries: the
    benchmarks, the count, the page of models, and the page's headline results."""

    template_name = "leaderboard/index.html"
    table_class = LeaderboardTable
    table_pagination = {"per_page": 50}

    def get_queryset(self):
        return AIModel.objects.with_organization().prefetch_related(
            Prefetch(
                "results",
                queryset=Result.objects.headline().select_related(
                    "version", "source", "claimed_by"
                ),
                to_attr="headline_results",
            )
        )

    def get_table_kwargs(self):
        benchmarks = list(Benchmark.objects.all())
        return {"extra_columns": LeaderboardTable.benchmark_columns(benchmarks)}
