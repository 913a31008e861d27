"""A time limit on every query of the served site (``DJANGO_QUERY_TIMEOUT_MS``; off
when 0, as for management commands by default), so a request that would run too long
answers 503 instead of holding a worker: PostgreSQL's ``statement_timeout``, and on
SQLite a progress handler that interrupts a statement past its time."""

import time

from django.conf import settings
from django.db import OperationalError
from django.http import HttpResponse

# SQLite calls the progress handler every this many virtual-machine instructions.
PROGRESS_STEPS = 10_000

TOO_LONG = (
    "This page took longer than the site allows ({seconds:g} s) to compute, so it was "
    "stopped. Try a narrower filter or a smaller page size."
)


def limit_sqlite(sender, connection, **kwargs):
    """On each new SQLite connection (``connection_created``): interrupt a statement
    that runs past the limit."""
    timeout_ms = settings.QUERY_TIMEOUT_MS
    if not timeout_ms or connection.vendor != "sqlite":
        return
    started = []

    def timed(execute, sql, params, many, context):
        started.append(time.monotonic())
        try:
            return execute(sql, params, many, context)
        finally:
            started.pop()

    def past_time():
        return bool(started) and (time.monotonic() - started[0]) * 1000 > timeout_ms

    connection.connection.set_progress_handler(past_time, PROGRESS_STEPS)
    # The wrapper outlives reconnections: install the timer once.
    connection.execute_wrappers[:] = [
        w for w in connection.execute_wrappers if getattr(w, "__name__", "") != "timed"
    ]
    connection.execute_wrappers.append(timed)


def is_timeout(exception):
    text = str(exception).lower()
    return isinstance(exception, OperationalError) and (
        "interrupted" in text or "statement timeout" in text
    )


class QueryTimeoutMiddleware:
    """Answers 503, saying why, when a query ran past the limit."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_exception(self, request, exception):
        if is_timeout(exception):
            message = TOO_LONG.format(seconds=settings.QUERY_TIMEOUT_MS / 1000)
            return HttpResponse(message, status=503, content_type="text/plain; charset=utf-8")
        return None
