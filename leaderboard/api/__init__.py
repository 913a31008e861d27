"""The read-only JSON API at /api/, with its OpenAPI document at /api/openapi.json.

It reads through the same rules as the pages (``leaderboard.ranking``, the
leaderboard's filters, the benchmark page's table), so it never disagrees with them,
and it is cached like them: every operation and the schema go through
``public_page`` (an ETag by data version and release, 304 for a matching
If-None-Match, whole responses kept in the page cache), so an edit shows on the next
request. There is no docs page: Swagger UI loads scripts from another origin, which
the site's Content-Security-Policy forbids.
"""

from functools import wraps

from django.http import JsonResponse
from ninja import NinjaAPI

from ..caching import public_page
from . import ai_models, benchmarks, organizations, results

NUL = "\x00"


def refuse_nul_bytes(view):
    """Answer 400 to a path or query string holding a NUL byte: PostgreSQL refuses
    one in a text parameter with an error that would be a 500. Checked before
    anything reads the database, so no parameter can carry one there."""

    @wraps(view)
    def wrapper(request, *args, **kwargs):
        if NUL in request.path or any(
            NUL in key or any(NUL in value for value in values)
            for key, values in request.GET.lists()
        ):
            return JsonResponse(
                {"detail": "A NUL byte (%00) cannot stand in a path or a query parameter."},
                status=400,
            )
        return view(request, *args, **kwargs)

    return wrapper


class LeaderboardAPI(NinjaAPI):
    def get_openapi_operation_id(self, operation):
        # The view's own name ("list_models"), not ninja's module-prefixed one.
        return operation.view_func.__name__


api = LeaderboardAPI(
    title="Open-model leaderboard",
    version="1",
    description="Read-only: open models, benchmarks and results, each figure with the "
    "source and the verbatim quote that states it. Places follow the site's one ranking "
    "rule. Lists are paged (page, per_page up to 500).",
    urls_namespace="api",
    docs_url=None,
    docs_decorator=lambda view: refuse_nul_bytes(public_page(view)),
)
# In "view" mode a decorator wraps the whole operation, parameter checks included, so
# it sees (and caches) the finished response; the last added runs first.
api.add_decorator(public_page, mode="view")
api.add_decorator(refuse_nul_bytes, mode="view")
for module in (organizations, ai_models, benchmarks, results):
    api.add_router("", module.router)
