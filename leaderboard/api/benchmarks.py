"""/api/benchmarks: what each benchmark measures and how to read it, and its ranking,
ordered and placed exactly as on its page: through the page's own table
(``BenchmarkRankingTable``: the same sort keys, the same default) and the one rule in
``leaderboard.ranking`` (``Ranking``, ``RankedResults``, ``places``)."""

from typing import Literal

from django.db.models import Prefetch
from ninja import Field, Query, Router, Schema

from ..models import Benchmark, BenchmarkCitation, ResultKind
from ..ranking import Ranking
from ..result_json import json_number
from ..tables import BenchmarkRankingTable
from ..views.paging import BoundedPaginator
from .paging import (
    Links,
    PageParameters,
    SlugInPath,
    envelope,
    get_or_404,
    page_of,
    past_the_end_is_not_found,
)
from .results import RESULT_RELATIONS, result_fields
from .schemas import ERRORS, BenchmarkDetail, BenchmarkPage, RankingPage

router = Router(tags=["benchmarks"])

# The benchmark page's sort keys: each column of its table, "-" for the other way.
RANKING_SORTS = tuple(
    f"{sign}{column}" for column in BenchmarkRankingTable.Meta.sequence for sign in ("", "-")
)


def benchmark_fields(benchmark, links):
    """A ``Benchmark`` (versions fetched): null where no source states a fact."""
    ranked = benchmark.ranked_version
    return {
        **links.named("benchmark", benchmark),
        "measures": benchmark.measures or None,
        "result_kind": None
        if benchmark.result_kind == ResultKind.NOT_REPORTED
        else benchmark.result_kind,
        "unit": benchmark.unit or None,
        "scale_min": json_number(benchmark.scale_min),
        "scale_max": json_number(benchmark.scale_max),
        "higher_is_better": benchmark.higher_is_better,
        "notes": benchmark.notes or None,
        "featured": benchmark.featured,
        "versions": [
            {"name": v.name, "released_on": v.released_on, "is_ranked": v.is_ranked}
            for v in benchmark.versions.all()
        ],
        "ranked_version": ranked.name if ranked else None,
        "ranking_url": links.url("api:benchmark_ranking", benchmark.slug),
    }


@router.get("/benchmarks", response={200: BenchmarkPage, **ERRORS})
def list_benchmarks(request, paging: Query[PageParameters]):
    """The benchmarks, by name."""
    benchmarks = Benchmark.objects.prefetch_related("versions").order_by("name", "pk")
    rows, page = page_of(request, benchmarks, paging)
    links = Links(request)
    return {**page, "items": [benchmark_fields(b, links) for b in rows]}


@router.get("/benchmarks/{slug}", response={200: BenchmarkDetail, **ERRORS})
def get_benchmark(request, slug: SlugInPath):
    """A benchmark, its aliases, and each fact's citations."""
    benchmark = get_or_404(
        Benchmark.objects.prefetch_related(
            "versions",
            "aliases",
            Prefetch("citations", queryset=BenchmarkCitation.objects.select_related("source")),
        ),
        slug,
        "benchmark",
    )
    links = Links(request)
    return {
        **benchmark_fields(benchmark, links),
        "aliases": [alias.name for alias in benchmark.aliases.all()],
        "citations": links.citations_by_fact(benchmark.citations.all()),
    }


class RankingOrder(Schema):
    sort: Literal[RANKING_SORTS] = Field(
        "rank",
        description="As on the benchmark's page: rank or result (best first; -rank, "
        "-result: worst first), name, organization, active_parameters ('-': the other "
        "way). Places never change with the order.",
    )


@router.get("/benchmarks/{slug}/ranking", response={200: RankingPage, **ERRORS})
def benchmark_ranking(
    request, slug: SlugInPath, order: Query[RankingOrder], paging: Query[PageParameters]
):
    """The benchmark's ranking: one result a model (the one its page shows), on the
    ranked version, each with its place."""
    benchmark = get_or_404(Benchmark.objects.prefetch_related("versions"), slug, "benchmark")
    results = Ranking(benchmark).results().select_related(*RESULT_RELATIONS)
    table = BenchmarkRankingTable(results, benchmark=benchmark, order_by=order.sort)
    with past_the_end_is_not_found(lambda: table.paginator, paging.page):
        table.paginate(
            paginator_class=BoundedPaginator, page=paging.page, per_page=paging.per_page
        )
    records = [row.record for row in table.page.object_list]
    places = table.columns["rank"].column
    places.prepare(records)
    links = Links(request)
    items = [
        {
            "place": places.place(result),
            "best_place": places.best_places.get(result.pk, places.place(result)),
            "model": links.named("model", result.model),
            "result": result_fields(result, links),
        }
        for result in records
    ]
    return {
        **envelope(request, table.page),
        "benchmark": links.named("benchmark", benchmark),
        "items": items,
    }
