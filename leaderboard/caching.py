"""Public pages: GET and HEAD only, validated and cached by the data version."""

import hashlib
import logging
import os
from calendar import timegm
from contextlib import contextmanager
from functools import wraps

from django.conf import settings
from django.core.cache import cache
from django.utils.cache import (
    get_cache_key,
    get_conditional_response,
    learn_cache_key,
    patch_cache_control,
)
from django.utils.http import http_date, quote_etag
from django.views.decorators.http import require_safe

from .models import DataVersion


def code_release():
    """An identifier of the running code: DJANGO_RELEASE if set, else a digest of the
    code, templates and static files. It is part of every ETag and cache key, so after
    a deploy no browser or cache keeps a page the previous release rendered (pointing
    at static files that may be gone)."""
    if os.environ.get("DJANGO_RELEASE"):
        return os.environ["DJANGO_RELEASE"]
    digest = hashlib.sha256()
    for folder in ("leaderboard", "templates", "static"):
        for path in sorted((settings.BASE_DIR / folder).rglob("*")):
            if path.is_file() and path.suffix in {".py", ".html", ".css", ".js", ".svg"}:
                digest.update(str(path.relative_to(settings.BASE_DIR)).encode())
                digest.update(path.read_bytes())
    return digest.hexdigest()[:12]


RELEASE = code_release()
logger = logging.getLogger(__name__)


def public_page(view):
    """Wrap a public view: only GET and HEAD; an ETag naming the data version and the
    release, and Last-Modified; 304 Not Modified for a matching If-None-Match; whole
    responses cached server-side under the version they were built from (and the
    request headers they vary on), so an edit shows on the very next request.

    Only the ETag answers 304. Last-Modified has one-second resolution and says
    nothing of the release, so If-Modified-Since alone could match a page from before
    a second edit in the same second, or one the previous release rendered."""

    @require_safe
    @wraps(view)
    def wrapper(request, *args, **kwargs):
        data = DataVersion.current()
        # The page says when the data last changed (``context_processors``).
        request.data_version = data
        etag = quote_etag(f"v{data.version}-{data.changed_at.timestamp():.6f}-{RELEASE}")
        response = get_conditional_response(request, etag=etag)
        if response is None:
            response = cached_page(request, etag)
        if response is None:
            response = view(request, *args, **kwargs)
            if hasattr(response, "render"):
                response.render()
            if response.status_code == 200 and settings.PAGE_CACHE_SECONDS:
                store_page(request, response, etag)
        if response.status_code in (200, 304):
            response["ETag"] = etag
            response["Last-Modified"] = http_date(timegm(data.changed_at.utctimetuple()))
            # Browsers and proxies may keep a copy but must ask before reusing it.
            patch_cache_control(response, public=True, no_cache=True)
        return response

    return wrapper


def cached_page(request, etag):
    """The cached response for this request under this ETag, or None. Keys follow
    Django's own cache middleware: the URL, plus the request headers the response
    named in Vary."""
    if not settings.PAGE_CACHE_SECONDS:
        return None
    with cache_unavailable_is_a_miss():
        key = get_cache_key(request, key_prefix=f"page:{etag}", method="GET", cache=cache)
        return None if key is None else cache.get(key)


def store_page(request, response, etag):
    if response.streaming or len(response.content) > settings.PAGE_CACHE_MAX_BYTES:
        # A streamed export, or a page of 500 rows: rendering it again beats holding it.
        return
    with cache_unavailable_is_a_miss():
        key = learn_cache_key(
            request,
            response,
            settings.PAGE_CACHE_SECONDS,
            key_prefix=f"page:{etag}",
            cache=cache,
        )
        cache.set(key, response, settings.PAGE_CACHE_SECONDS)


@contextmanager
def cache_unavailable_is_a_miss():
    """The page cache is an accelerator: when it fails (Redis stopped, a timeout), log
    a warning and serve the page without it; the next request tries again, so pages go
    back to the cache as soon as it answers."""
    try:
        yield
    except Exception as error:  # any backend's failure: redis-py, memcached, ...
        logger.warning("Page cache unavailable, serving without it: %s", error)
