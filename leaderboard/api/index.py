"""/api/: what the API is, and where to start: absolute links to its OpenAPI
document, to each list, and a template for a benchmark's ranking."""

from django.urls import reverse
from ninja import Router

from .paging import Links
from .schemas import APIIndex, Message

router = Router(tags=["index"])


@router.get("/", response={200: APIIndex, 400: Message})
def api_index(request):
    """What this API is, with links to its OpenAPI document and each list."""
    from . import api  # the API this router is mounted on, for its title and version

    def url(url_name):
        return request.build_absolute_uri(reverse(url_name))

    return {
        "title": api.title,
        "version": api.version,
        "description": api.description,
        "site_url": url("index"),
        "openapi_url": url("api:openapi-json"),
        "lists": {
            "organizations": url("api:list_organizations"),
            "models": url("api:list_models"),
            "benchmarks": url("api:list_benchmarks"),
            "results": url("api:list_results"),
            "suites": url("api:list_suites"),
        },
        "benchmark_ranking_url": Links(request).url("api:benchmark_ranking", "{slug}"),
    }
