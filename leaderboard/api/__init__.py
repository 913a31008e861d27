"""The read-only JSON API at /api/, with its OpenAPI document at /api/openapi.json.

It reads through the same rules as the pages (``leaderboard.rules.ranking``, the
leaderboard's filters, the benchmark page's table), so it never disagrees with them,
and it is cached like them: every operation and the schema go through
``public_page`` (an ETag by data version and release, 304 for a matching
If-None-Match, whole responses kept in the page cache), so an edit shows on the next
request. There is no docs page: Swagger UI loads scripts from another origin, which
the site's Content-Security-Policy forbids; /api/ itself (``index.api_index``) says
what the API is and links to the document and each list.

Like every public page, each URL answers HEAD as it answers GET, without the body:
``api.urls`` (what the site's URLconf includes) presents a HEAD to ninja as a GET, so
the schema documents each operation once, as a GET.
"""

from functools import partial, wraps

from django.http import JsonResponse
from django.urls import URLPattern
from ninja import NinjaAPI

from ..web.caching import public_page
from . import ai_models, benchmarks, index, organizations, results, suites

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


def refused(request, message, status=400):
    """The API's answer to an ``as_of`` it cannot show (``public_page``)."""
    return JsonResponse({"detail": message}, status=status)


# Every operation takes ``?as_of=YYYY-MM-DD`` (``reading.as_of``); the schema has no past.
api_page = partial(public_page, refuse=refused)


def head_as_get(view):
    """Answer HEAD exactly as GET (status, headers, ETag, 304s, the page cache): ninja
    dispatches on the method and declares only GETs, so it sees a GET, and the
    request is a HEAD again afterwards. The server drops a HEAD's body (gunicorn,
    runserver and Django's test client all do). A 405 says HEAD is allowed too."""

    @wraps(view)  # keeps ninja's csrf_exempt
    def wrapper(request, *args, **kwargs):
        if request.method == "HEAD":
            request.method = "GET"
            try:
                return view(request, *args, **kwargs)
            finally:
                request.method = "HEAD"
        response = view(request, *args, **kwargs)
        allowed = [m.strip() for m in response.get("Allow", "").split(",") if m.strip()]
        if response.status_code == 405 and "GET" in allowed and "HEAD" not in allowed:
            response["Allow"] = ", ".join([*allowed, "HEAD"])
        return response

    return wrapper


class LeaderboardAPI(NinjaAPI):
    @property
    def urls(self):
        """ninja's (patterns, app name, namespace), each pattern's view ``head_as_get``."""
        patterns, app_name, namespace = super().urls
        patterns = [
            URLPattern(p.pattern, head_as_get(p.callback), p.default_args, p.name)
            for p in patterns
        ]
        return patterns, app_name, namespace

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
    docs_decorator=lambda view: refuse_nul_bytes(api_page(view, offers_as_of=False)),
)
# In "view" mode a decorator wraps the whole operation, parameter checks included, so
# it sees (and caches) the finished response; the last added runs first.
api.add_decorator(api_page, mode="view")
api.add_decorator(refuse_nul_bytes, mode="view")
for module in (index, organizations, ai_models, benchmarks, results, suites):
    api.add_router("", module.router)
