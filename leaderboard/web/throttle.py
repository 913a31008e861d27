"""How often anyone may submit (``views.submissions``): per client address and overall.

Counted from the submissions the database holds, not from a cache: the limits hold
when the cache is down, and a restart does not reset them. Attempts the rules refuse
keep nothing, so they are counted apart, in the cache, as best it can: with the cache
down they go uncounted and the stored submissions' limits still hold.
"""

import hashlib
import math
from datetime import timedelta

from django.conf import settings
from django.core.cache import cache
from django.utils import timezone

from ..models.submissions import Submission
from ..rules.limits import seconds_until_under
from .caching import cache_unavailable_is_a_miss
from .middleware import client_ip

WINDOW = timedelta(hours=1)


def client_key(request):
    """The client's address as a keyed digest: kept with a submission to count its
    sender's, never shown, and not the address itself."""
    address = client_ip(request)
    return hashlib.sha256(f"{settings.SECRET_KEY}|{address}".encode()).hexdigest()[:32]


def seconds_to_wait(request, now=None):
    """How long this client must wait before sending another submission; 0 when it
    may now."""
    now = now or timezone.now()
    since = now - WINDOW
    key = client_key(request)
    recent = Submission.objects.filter(submitted_at__gte=since)
    waits = [
        seconds_until_under(
            rows.order_by("-submitted_at").values_list("submitted_at", flat=True),
            limit,
            WINDOW,
            now,
        )
        for rows, limit in (
            (recent.filter(client=key), settings.SUBMISSIONS_PER_HOUR_PER_CLIENT),
            (recent, settings.SUBMISSIONS_PER_HOUR),
        )
    ]
    attempts = cache_unavailable_is_a_miss(request, lambda: cache.get(attempts_key(key), 0)) or 0
    if attempts >= settings.SUBMISSION_ATTEMPTS_PER_HOUR_PER_CLIENT:
        waits.append(math.ceil(WINDOW.total_seconds()))
    return max([0, *waits])


def count_attempt(request):
    """Count a refused attempt (the rules said no) against the client."""
    key = attempts_key(client_key(request))

    def add():
        if not cache.add(key, 1, int(WINDOW.total_seconds())):
            cache.incr(key)

    cache_unavailable_is_a_miss(request, add)


def attempts_key(client):
    return f"submission-attempts:{client}"
