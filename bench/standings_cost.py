"""What keeping suites' averages stored (``rules.standings``) costs the writes, against
DATABASE_URL (made by ``make_demo_data``): one result corrected on a suite's
benchmark, through ``writes.save`` as the admin saves it, and every suite's averages
recomputed, as a load or ``migrate`` does. Each in a transaction rolled back.

Usage: DATABASE_URL=... python bench/standings_cost.py [--repeat N]
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

import django  # noqa: E402

django.setup()

from django.db import transaction  # noqa: E402

from leaderboard.models import Result, Suite  # noqa: E402
from leaderboard.rules import standings, writes  # noqa: E402


class RolledBack(Exception):
    pass


def timed(action):
    started = time.perf_counter()
    try:
        with transaction.atomic():
            action()
            raise RolledBack
    except RolledBack:
        pass
    return (time.perf_counter() - started) * 1000


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--repeat", type=int, default=5)
    options = parser.parse_args()
    suite = Suite.objects.get(slug="synthetic-suite")
    benchmark = suite.members.order_by("position").first().benchmark
    results = list(Result.objects.headline().filter(benchmark=benchmark)[: options.repeat])

    def correct(result):
        result.stderr = None
        return lambda: writes.save(result)

    saves = [timed(correct(result)) for result in results]
    print(
        f"one result saved (writes.save, averages kept): median {statistics.median(saves):.0f} ms"
    )
    refresh = timed(standings.refresh)
    print(f"every suite's averages recomputed (standings.refresh): {refresh:.0f} ms")


if __name__ == "__main__":
    main()
