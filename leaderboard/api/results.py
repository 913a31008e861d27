"""/api/results: every result from every source, each with its quote and where the
source states it. (A benchmark's ranking, one result a model, is in ``benchmarks``.)"""

from typing import Literal

from ninja import Field, Query, Router, Schema

from ..models import Result, ResultQuerySet
from ..reading import result_json
from .paging import Links, PageParameters, page_of
from .schemas import ERRORS, ResultPage

router = Router(tags=["results"])

# What a result's answer reads besides its own row, fetched in the same query.
RESULT_RELATIONS = ("model", "benchmark", "version", "source", "claimed_by")


def result_fields(result, links):
    """A ``Result``: the parts every result's JSON shares with the typed export
    (``result_json``: its figures, how it was measured, whose claim it is, its source,
    quote and passage), and what the API adds (``RESULT_RELATIONS`` fetched)."""
    source = links.source(result.source)
    claimed_by = links.named("organization", result.claimed_by) if result.claimed_by_id else None
    return {
        **result_json.figures(result.value, result.stderr, result.ci_low, result.ci_high),
        "rank": result.rank,
        "as_percentage": result.as_percentage,
        **result_json.measured(result),
        "is_comparable": result.is_comparable,
        "not_ranked_because": result.differences,
        **result_json.claim(result.provenance, claimed_by, source),
        **result_json.citation(source["url"], result.quote),
        "is_headline": result.is_headline,
        "version": result.version.name if result.version_id else None,
    }


class ResultFilters(Schema):
    model: str | None = Field(None, max_length=200, description="A model's slug.")
    benchmark: str | None = Field(None, max_length=200, description="A benchmark's slug.")
    source: str | None = Field(None, max_length=200, description="A source's slug.")
    provenance: Literal["independent", "vendor_claim"] | None = None
    headline: bool | None = Field(
        None,
        description="true: only the result the site shows for each model, benchmark and "
        "version; false: only the others.",
    )


@router.get("/results", response={200: ResultPage, **ERRORS})
def list_results(request, filters: Query[ResultFilters], paging: Query[PageParameters]):
    """Every result, by model, then benchmark, then the site's preference among sources
    (independent before a vendor's claim, newest first). A slug that names nothing
    matches no result."""
    results = Result.objects.all()
    for field in ("model", "benchmark", "source"):
        slug = getattr(filters, field)
        if slug is not None:
            results = results.filter(**{f"{field}__slug": slug})
    if filters.provenance is not None:
        results = results.filter(provenance=filters.provenance)
    if filters.headline is not None:
        results = results.filter(is_headline=filters.headline)
    ordered = results.select_related(*RESULT_RELATIONS).order_by(
        "model__name", "benchmark__name", *ResultQuerySet.PREFERENCE
    )
    rows, page = page_of(request, ordered, paging, count_rows=results.count)
    links = Links(request)
    items = [
        {
            **result_fields(result, links),
            "model": links.named("model", result.model),
            "benchmark": links.named("benchmark", result.benchmark),
        }
        for result in rows
    ]
    return {**page, "items": items}
