"""Public pages: GET and HEAD only, validated and cached by the data version."""

import hashlib
import logging
import os
import threading
import time
from calendar import timegm
from decimal import Decimal
from functools import wraps

from django.conf import settings
from django.core.cache import cache, caches
from django.core.signals import setting_changed
from django.dispatch import receiver
from django.template.response import TemplateResponse
from django.utils.cache import (
    get_cache_key,
    get_conditional_response,
    learn_cache_key,
    patch_cache_control,
)
from django.utils.http import http_date, quote_etag
from django.views.decorators.http import require_safe

from ..models import DataVersion
from ..reading import as_of
from . import downloads


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


def public_page(view, offers_as_of=True, refuse=None):
    """Wrap a public view: only GET and HEAD; an ETag naming the data version and the
    release, and Last-Modified; 304 Not Modified for a matching If-None-Match; whole
    responses cached server-side under the version they were built from (and the
    request headers they vary on), so an edit shows on the very next request.

    Only the ETag answers 304. Last-Modified has one-second resolution and says
    nothing of the release, so If-Modified-Since alone could match a page from before
    a second edit in the same second, or one the previous release rendered.

    Streamed downloads (exports) are too large for the page cache: each is kept on
    disk under its ETag as it is first sent, and served from there (``downloads``).

    ``?as_of=YYYY-MM-DD`` renders the page as it stood at the end of that day
    (``reading.as_of``), cached and validated under that day's copy instead of the
    data version; pages that show no past (``offers_as_of`` False) and days the site
    cannot show are answered 400 by ``refuse(request, message)`` (an HTML page unless
    given)."""

    @require_safe
    @wraps(view)
    def wrapper(request, *args, **kwargs):
        data = DataVersion.current()
        # The page says when the data last changed (``context_processors``).
        request.data_version = data
        # The page may offer its past (the footer's form, ``context_processors``).
        request.offers_as_of = offers_as_of
        try:
            past = asked_past(request, offers_as_of)
        except as_of.Refused as refusal:
            return (refuse or as_of_refused)(request, str(refusal))
        except as_of.Busy as busy:
            response = (refuse or as_of_refused)(request, str(busy), status=503)
            response["Retry-After"] = str(busy.seconds)
            return response
        if past is not None:
            request.as_of = past
            data = request.data_version = past.data_version
        etag = quote_etag(f"v{data.version}-{data.changed_at.timestamp():.6f}-{RELEASE}")
        response = get_conditional_response(request, etag=etag)
        if response is None:
            response = cached_page(request, etag) or downloads.kept_copy(request, etag)
        if response is None:
            with as_of.reading(past):
                response = view(request, *args, **kwargs)
                if hasattr(response, "render"):
                    response.render()
            if past is not None and response.streaming:
                response.streaming_content = as_of.streamed(past, response.streaming_content)
            if response.status_code == 200 and settings.PAGE_CACHE_SECONDS:
                store_page(request, response, etag)
            downloads.keep_copy(request, response, etag)
        if response.status_code in (200, 304):
            response["ETag"] = etag
            response["Last-Modified"] = http_date(timegm(data.changed_at.utctimetuple()))
            # Browsers and proxies may keep a copy but must ask before reusing it.
            patch_cache_control(response, public=True, no_cache=True)
        return response

    return wrapper


def asked_past(request, offered):
    """The past day the request asks for (``?as_of=``), its copy built if needed; None
    for today's data. ``as_of.Refused`` for a day the site cannot show, or on a page
    that shows no past. What the history holds before the day is read once per data
    version (``per_data_version``)."""
    day = as_of.requested_day(request.GET)
    if day is None:
        return None
    if not offered:
        raise as_of.Refused(
            "as_of: this page has no past versions. The leaderboard, benchmark, model, "
            "suite, organization, source and compare pages and the API take it."
        )
    return as_of.snapshot(
        day,
        remember=lambda compute: per_data_version(request, "as-of", str(day), compute),
        release=RELEASE,
    )


def as_of_refused(request, message, status=400):
    """The HTML answer to an ``as_of`` the site cannot show: what is wrong, and a link
    to the page as it stands now."""
    return TemplateResponse(
        request,
        "leaderboard/as_of_refused.html",
        {"message": message, "today_url": as_of.today_url(request)},
        status=status,
    )


def cached_page(request, etag):
    """The cached response for this request under this ETag, or None. Keys follow
    Django's own cache middleware: the URL, plus the request headers the response
    named in Vary."""
    if not settings.PAGE_CACHE_SECONDS:
        return None

    def read():
        key = get_cache_key(request, key_prefix=f"page:{etag}", method="GET", cache=cache)
        return None if key is None else cache.get(key)

    return cache_unavailable_is_a_miss(request, read)


def store_page(request, response, etag):
    if response.streaming or len(response.content) > settings.PAGE_CACHE_MAX_BYTES:
        # A streamed export, or a page of 500 rows: rendering it again beats holding it.
        return

    def write():
        key = learn_cache_key(
            request,
            response,
            settings.PAGE_CACHE_SECONDS,
            key_prefix=f"page:{etag}",
            cache=cache,
        )
        cache.set(key, response, settings.PAGE_CACHE_SECONDS)

    cache_unavailable_is_a_miss(request, write)


class Breaker:
    """Whether this process may try the page cache now: a circuit breaker.

    Closed, every request may. A failure opens it for PAGE_CACHE_RETRY_SECONDS, when
    requests skip the cache; then one request tries it (half-open) while the others
    still skip: its success closes the breaker, its failure opens it again. So a stalled
    Redis costs each process one timeout per interval, not one per request. The lock
    is held only to read and flip two fields, never across a cache call, so threads
    and gevent's greenlets (gevent patches the lock) share it safely."""

    clock = staticmethod(time.monotonic)  # a test moves time on by replacing it

    def __init__(self):
        self._lock = threading.Lock()
        self._open_until = None  # None: closed
        self._probing = False

    def allows(self):
        with self._lock:
            if self._open_until is None:
                return True
            if self._probing or self.clock() < self._open_until:
                return False
            self._probing = True  # this caller tries the cache for everyone
            return True

    def record(self, succeeded):
        """A cache operation's outcome. Only the probe's success closes an open
        breaker: one begun before it opened says nothing of the cache now."""
        with self._lock:
            if not succeeded:
                self._open_until = self.clock() + settings.PAGE_CACHE_RETRY_SECONDS
                self._probing = False
            elif self._probing:
                self._open_until, self._probing = None, False

    def reset(self):
        with self._lock:
            self._open_until, self._probing = None, False


breaker = Breaker()


@receiver(setting_changed)
def close_breaker_for_new_caches(setting, **kwargs):
    """Another cache configuration (a test's) starts closed: the failures were of the
    cache it replaces."""
    if setting == "CACHES":
        breaker.reset()


def cache_unavailable_is_a_miss(request, operation):
    """Run ``operation`` (a page cache read or write) and return what it returns, or
    None when the cache fails or is skipped. The page cache is an accelerator: when it
    fails (Redis stopped, or stalled past its socket timeout), log a warning and serve
    the page without it. A request gets one such wait: after a failure the rest of the
    request skips the cache, and so do this process's other requests for a few seconds
    (``breaker``); then one request tries again, so pages go back to the cache soon
    after it answers."""
    if getattr(request, "page_cache_failed", False) or not breaker.allows():
        return None
    succeeded = False
    try:
        result = operation()
        succeeded = True
        return result
    except Exception as error:  # any backend's failure: redis-py, memcached, ...
        if request is not None:  # None: a part asked for outside a request
            request.page_cache_failed = True
        logger.warning("Page cache unavailable, serving without it: %s", error)
        return None
    finally:  # also when the worker interrupts the wait (a BaseException)
        breaker.record(succeeded)


def per_data_version(request, name, key, compute):
    """``compute()``, made once per data version and release and kept in the shared
    cache: the parts of a page that many URLs share (the summary's counts and
    leaders, a chart), so that a page for a URL nobody asked for before (a new filter,
    sort or page) is assembled from them instead of recomputed. ``key`` (a string)
    names what the part depends on besides the data, such as the filters' cleaned
    values (``filters_key``).

    Entries never go stale: an edit moves the data version on, and the next request
    asks under the new one. With PART_CACHE_SECONDS 0, or the cache down, the part is
    computed each time (``cache_unavailable_is_a_miss``)."""
    if not settings.PART_CACHE_SECONDS:
        return compute()
    cache_key = versioned_key(request, "part", f"{name}:{key}")
    store = parts_cache()
    # Kept as a 1-tuple, so a part that is None (a chart with nothing to draw) is
    # found as such rather than made again on every request.
    found = cache_unavailable_is_a_miss(request, lambda: store.get(cache_key, MISSING))
    if isinstance(found, tuple):
        return found[0]
    value = compute()
    if found is MISSING:  # the cache answered; keep the part for the next request
        cache_unavailable_is_a_miss(
            request, lambda: store.set(cache_key, (value,), settings.PART_CACHE_SECONDS)
        )
    return value


def versioned_key(request, kind, name):
    """A parts-cache key under the release and the request's data version: ``name``
    (what the entry depends on besides the data) as a digest, so any text may name it."""
    data = getattr(request, "data_version", None) or DataVersion.current()
    digest = hashlib.sha256(name.encode()).hexdigest()[:24]
    return f"{kind}:{RELEASE}:v{data.version}:{digest}"


# What cache.get answers for a key it does not hold.
MISSING = object()


def filters_key(cleaned_data):
    """A filter form's cleaned values as a key that is the same however the URL
    spells them (parameter order, unused parameters, "5" or "5.0"): what the parts of
    a page that follow the filters are cached under (``per_data_version``)."""
    parts = []
    for name, value in sorted(cleaned_data.items()):
        if hasattr(value, "values_list"):  # a queryset of chosen rows
            value = sorted(value.values_list("pk", flat=True))
        elif isinstance(value, (list, tuple, set)):
            value = sorted(str(item) for item in value)
        elif isinstance(value, Decimal):
            value = f"{value.normalize():f}"  # "5" and "5.0" keep the same models
        if value is None or value is False or value in ("", []):  # not set (0 is)
            continue
        parts.append(f"{name}={value}")
    return "&".join(parts)


def rows_per_data_version(request, signature, records, render):
    """Each of ``records``' rendered row, made once per data version and release for
    tables with the same ``signature`` (its columns, in order) and kept in the shared
    cache: places no longer depend on sort, filter or page, so a model's row reads the
    same on every URL that shows the same columns, and a page nobody asked for before
    is assembled from rows already rendered. ``render(records)`` renders those not
    cached, in order. The cache down or PART_CACHE_SECONDS 0: every row is rendered.
    ``records`` knows its rows' keys before reading them (``ids``; ``rows``, and
    ``of(ids)`` reading only those: ``ranking.FetchedWhenRead``), so rows already
    rendered are never read."""
    if not settings.PART_CACHE_SECONDS or not records or request is None:
        return render(records.rows)
    prefix = versioned_key(request, "row", signature)
    keys = [f"{prefix}:{pk}" for pk in records.ids]
    store = parts_cache()
    found = cache_unavailable_is_a_miss(request, lambda: store.get_many(keys))
    if found is None:  # the cache failed: render without it
        return render(records.rows)
    missing = [pk for pk, key in zip(records.ids, keys, strict=True) if key not in found]
    if missing:
        # Read now: a row deleted since its key was read is not among them.
        missed = records.of(missing)
        rendered = render(missed)
        made = {f"{prefix}:{record.pk}": row for record, row in zip(missed, rendered, strict=True)}
        cache_unavailable_is_a_miss(
            request, lambda: store.set_many(made, settings.PART_CACHE_SECONDS)
        )
        found = {**found, **made}
    return [found[key] for key in keys if key in found]


def parts_cache():
    """The cache that keeps rows and shared parts: "parts" where configured (see
    settings), else the default one (a configuration with a single cache, as some
    tests have)."""
    return caches["parts" if "parts" in settings.CACHES else "default"]
