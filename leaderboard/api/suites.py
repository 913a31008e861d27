"""/api/suites: the suites, and a suite's averages as its page computes them
(``leaderboard.rules.averages``, made once per data version through the page's own
``computed_averages``): labelled as computed by this site, each input with its
source, quote and passage."""

from typing import Literal

from ninja import Field, Query, Router, Schema

from ..models import Suite
from ..reading.presentation import json_number
from ..rules import averages
from ..rules.averages import suite_benchmarks
from ..views.suites import averages_for
from .paging import Links, PageParameters, SlugInPath, get_or_404, page_of
from .results import result_fields
from .schemas import ERRORS, SuiteAveragesPage, SuitePage

router = Router(tags=["suites"])


def suite_fields(suite, benchmarks, links):
    return {
        **links.named("suite", suite),
        "description": suite.description or None,
        "benchmarks": [links.named("benchmark", b) for b in benchmarks],
        "averages_url": links.url("api:suite_averages", suite.slug),
    }


@router.get("/suites", response={200: SuitePage, **ERRORS})
def list_suites(request, paging: Query[PageParameters]):
    """The suites, by name, each with its benchmarks in order."""
    suites = Suite.objects.order_by("name", "pk")
    rows, page = page_of(request, suites, paging)
    links = Links(request)
    return {**page, "items": [suite_fields(s, suite_benchmarks(s), links) for s in rows]}


class AverageOptions(Schema):
    normalisation: Literal[tuple(averages.NORMALISATIONS)] = Field(
        averages.PLAIN,
        description="plain: the mean of the values (every benchmark on one scale); "
        "normalised: each value first put between its benchmark's cited random baseline "
        "(0) and its scale's maximum (100).",
    )
    independent: bool = Field(
        False, description="Count independent measurements only (vendors' claims left out)."
    )


@router.get("/suites/{slug}/averages", response={200: SuiteAveragesPage, **ERRORS})
def suite_averages(
    request, slug: SlugInPath, options: Query[AverageOptions], paging: Query[PageParameters]
):
    """A suite's averages, best first, as its page shows them: computed by this site
    from the results shown, never stated by a source. ``unavailable`` says why none
    can be computed as asked (then ``items`` is empty)."""
    suite = get_or_404(Suite.objects.all(), slug, "suite")
    benchmarks = suite_benchmarks(suite)
    computed = averages_for(request, benchmarks, options.normalisation, options.independent, suite)
    rows, page = page_of(request, computed.averages, paging)
    results = averages.results_of(rows)
    benchmark_of = {b.pk: b for b in benchmarks}
    for result in results.values():
        result.benchmark = benchmark_of[result.benchmark_id]  # read against its setting
    links = Links(request)
    return {
        **page,
        "suite": suite_fields(suite, benchmarks, links),
        "computed_by": "this site",
        "formula": averages.formula(options.normalisation),
        "normalisation": options.normalisation,
        "independent_only": options.independent,
        "unavailable": computed.unavailable,
        "incomplete_count": len(computed.incomplete),
        "items": [
            {
                "place": row.place,
                "best_place": row.best_place if row.best_place is not None else row.place,
                "model": {"slug": row.slug, "name": row.name, "url": links.url("model", row.slug)},
                "average": json_number(row.value),
                "stderr": json_number(row.stderr),
                "claims": row.claims,
                "inputs": [
                    {
                        "benchmark": links.named("benchmark", benchmark),
                        "counted": json_number(counted.quantize(averages.STORED_PLACES)),
                        "result": result_fields(results[pk], links),
                    }
                    for benchmark, pk, counted in zip(
                        benchmarks, row.result_ids, row.counted, strict=True
                    )
                ],
            }
            for row in rows
        ],
    }
