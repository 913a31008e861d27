"""Server time per page, every request rendered cold: the median of N requests
through Django's full stack (middleware, view, template) in this process, against
DATABASE_URL, with the page cache off, every configured cache cleared before each
request, and a query parameter no other request used.

Usage: DATABASE_URL=... python bench/page_times.py [--repeat N] [--label TEXT]
       DATABASE_URL=... python bench/page_times.py --profile URL
Prints one Markdown table row per page, or pyinstrument's profile of one page.
"""

import argparse
import os
import statistics
import sys
import time
from datetime import date, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "leaderboard.settings")
os.environ.setdefault("DJANGO_SECRET_KEY", "bench-only-secret-key")
os.environ["DJANGO_PAGE_CACHE_SECONDS"] = "0"

import django  # noqa: E402

django.setup()

from django.conf import settings  # noqa: E402
from django.core.cache import caches  # noqa: E402
from django.db import connection  # noqa: E402
from django.test import Client  # noqa: E402
from django.test.utils import CaptureQueriesContext  # noqa: E402

from leaderboard.models import AIModel  # noqa: E402

PAGES = [
    ("leaderboard, default order", "/"),
    ("leaderboard sorted by a benchmark", "/?sort=benchmark-synthetic-bench-001"),
    ("leaderboard sorted by another, worst first", "/?sort=-benchmark-synthetic-bench-007"),
    (
        "leaderboard sorted worst first by a benchmark not featured",
        "/?sort=-benchmark-synthetic-bench-042",
    ),
    ("leaderboard sorted by total parameters", "/?sort=-total_parameters"),
    ("leaderboard filtered", "/?open_weights=on&total_min=5&has_results=synthetic-bench-002"),
    ("benchmark ranking", "/benchmarks/synthetic-bench-001/"),
    ("suite page (an average of four)", "/suites/synthetic-suite/"),
    (
        "leaderboard sorted by an average of four",
        "/?average=synthetic-bench-001,synthetic-bench-002,synthetic-bench-003,"
        "synthetic-bench-004&sort=average",
    ),
    ("model page", "/models/synthetic-model-000001/"),
    # The copy of yesterday is built by the warm-up request (``reading.as_of``).
    ("leaderboard as of yesterday", f"/?as_of={date.today() - timedelta(days=1)}"),
]


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--repeat", type=int, default=15)
    parser.add_argument("--label", default=connection.vendor)
    parser.add_argument("--profile", metavar="URL", help="Profile one page with pyinstrument.")
    parser.add_argument("--only", default="", help="Measure only pages whose name has this.")
    options = parser.parse_args()
    settings.ALLOWED_HOSTS = ["*"]
    client = Client()
    if options.profile:
        from pyinstrument import Profiler

        client.get(options.profile)  # warm up
        with Profiler(interval=0.0005) as profiler:
            for _ in range(options.repeat):
                client.get(options.profile)
        print(profiler.output_text(unicode=True, show_all=False))
        return
    models = AIModel.objects.count()
    for name, url in PAGES:
        if options.only not in name:
            continue
        client.get(url)  # warm up the code paths, not any cache (cleared below)
        times = []
        for i in range(options.repeat):
            for cache in caches.all():
                cache.clear()
            cold = f"{url}{'&' if '?' in url else '?'}cold={i}"
            with CaptureQueriesContext(connection) as queries:
                started = time.perf_counter()
                response = client.get(cold)
                times.append((time.perf_counter() - started) * 1000)
            assert response.status_code == 200, (url, response.status_code)
        print(
            f"| {options.label} | {models:,} | {name} | {statistics.median(times):.0f} | "
            f"{len(queries.captured_queries)} |",
            flush=True,
        )


if __name__ == "__main__":
    main()
