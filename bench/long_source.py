"""Server time for the page of one long source: a 5 MB kept text of 130,000 lines with
quotes near its start, middle and end (the import door's item 11). Every request is
rendered cold (page cache off), through Django's full stack, in a throwaway test
database (SQLite in memory unless DATABASE_URL names another), so nothing is left
behind.

Usage: python bench/long_source.py [--repeat N] [--lines N]
Prints the median and range of each page's time, its size, and its queries; then the
first page again with the page cache on (a page over PAGE_CACHE_MAX_BYTES is not kept).
"""

import argparse
import os
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "leaderboard.settings")
os.environ.setdefault("DJANGO_SECRET_KEY", "bench-only-secret-key")
os.environ["DJANGO_PAGE_CACHE_SECONDS"] = "0"

import django  # noqa: E402

django.setup()

from django.conf import settings  # noqa: E402
from django.db import connection  # noqa: E402
from django.test import Client  # noqa: E402
from django.test.utils import (  # noqa: E402
    CaptureQueriesContext,
    setup_databases,
    teardown_databases,
)

# Lines where a quoted passage stands (1-based), the last one far down.
QUOTED_LINES = (10, 65_000, 120_000)


def long_text(lines):
    """About 5 MB of text in ``lines`` lines, with one quote on each of QUOTED_LINES."""
    filler = "The run used the default settings and reported every task it evaluated"
    rows = [f"Line {n}: {filler[: 10 + n % 30]}." for n in range(1, lines + 1)]
    for number in QUOTED_LINES:
        if number <= lines:
            rows[number - 1] = f"Model {number} scored {number % 90} on Bench."
    return "\n".join(rows) + "\n"


def make_long_source(lines):
    """The source, and a result quoting each of its passages (through the write path)."""
    from tests.factories import make_benchmark, make_model, make_result, make_source

    source = make_source(title="A long harness log", kept_text=long_text(lines))
    benchmark = make_benchmark(name="Bench")
    for number in QUOTED_LINES:
        if number <= lines:
            make_result(
                source=source,
                benchmark=benchmark,
                model=make_model(name=f"Model {number}"),
                value=number % 90,
                quote=f"Model {number} scored {number % 90} on Bench.",
            )
    return source


def measure(client, url, repeat):
    """Median and range of the server time of ``url``, its size and its queries."""
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        response = client.get(url)
        times.append(time.perf_counter() - start)
        assert response.status_code == 200, (url, response.status_code)
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
    return statistics.median(times), min(times), max(times), len(response.content), queries


def report(label, median, low, high, length, queries):
    print(
        f"| {label} | {median * 1000:.0f} ms | {low * 1000:.0f}–{high * 1000:.0f} ms"
        f" | {length / 1024:.0f} KB | {len(queries)} |"
    )


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--lines", type=int, default=130_000)
    options = parser.parse_args()
    settings.ALLOWED_HOSTS = ["*"]
    # Rendered without collectstatic, as the tests render.
    settings.STORAGES = {
        **settings.STORAGES,
        "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
    }
    # (No setup_test_environment: its template instrumentation would be timed too.)
    databases = setup_databases(verbosity=0, interactive=False)
    try:
        source = make_long_source(options.lines)
        size = len(source.kept_text.encode())
        print(f"source: {size / 1e6:.1f} MB, {options.lines:,} lines")
        print("| page | median | min–max | HTML | queries |")
        print("| --- | ---: | ---: | ---: | ---: |")
        url = source.get_absolute_url()
        last = source.results.order_by("-pk").first()
        pages = [("source page", url), ("passage far down", f"{url}?passage={last.anchor}")]
        client = Client()
        for label, address in pages:
            report(label, *measure(client, address, options.repeat))
        # The same page again with the page cache on: cached if it is small enough.
        settings.PAGE_CACHE_SECONDS = 600
        client.get(url)
        report("source page, page cache on", *measure(client, url, options.repeat))
    finally:
        teardown_databases(databases, verbosity=0)


if __name__ == "__main__":
    main()
