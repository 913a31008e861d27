"""`make flood`: the site's page times while one address floods /submit/.

Copies `make bench`'s data file (10,000 models × 50 benchmarks; built by `make bench`
if missing), serves the copy with the production setup (gunicorn, whitenoise), and
measures the leaderboard (a new URL every request, as `make bench` does) with wrk:
first alone, then while a client sends 1,000 submissions as fast as it can from one
address. Writes both, and what became of the flood, to docs/benchmarks.md.

Usage: python bench/flood.py [--submissions N] [--seconds S] [--connections C]
"""

import argparse
import http.cookiejar
import os
import re
import shutil
import subprocess
import sys
import threading
import time
import urllib.parse
import urllib.request
from datetime import UTC, datetime
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from harness import (  # noqa: E402
    DATA,
    GUNICORN_CONF,
    PYTHON,
    ROOT,
    Server,
    free_port,
    wait_for,
    write_section,
    wrk,
)

START, END = "<!-- make flood: start -->", "<!-- make flood: end -->"
TOKEN = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')


def flood(site, count, outcome):
    """Send ``count`` submissions from this one client, one after another, as fast as
    the site answers; count the answers by status in ``outcome``."""
    jar = http.cookiejar.CookieJar()

    class NoRedirect(urllib.request.HTTPRedirectHandler):
        def redirect_request(self, *args, **kwargs):
            return None

    opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(jar), NoRedirect)
    with opener.open(f"{site}/submit/", timeout=30) as response:
        token = TOKEN.search(response.read().decode()).group(1)
    started = time.monotonic()
    for n in range(count):
        value = f"{(n % 90) + 5}"
        data = urllib.parse.urlencode(
            {
                "csrfmiddlewaretoken": token,
                "model_named": "synthetic-model-000001",
                "benchmark": outcome["benchmark_id"],
                "value": value,
                "provenance": "independent",
                "source_url": f"https://example.org/flood/{n}",
                "source_title": f"Flood {n}",
                "quote": f"Synthetic Model 000001 scored {value} on Synthetic Bench 001.",
            }
        ).encode()
        request = urllib.request.Request(
            f"{site}/submit/", data=data, headers={"Referer": f"{site}/submit/"}
        )
        try:
            with opener.open(request, timeout=30) as response:
                status = response.status
        except urllib.error.HTTPError as error:
            status = error.code
        outcome[status] = outcome.get(status, 0) + 1
    outcome["seconds"] = time.monotonic() - started


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--submissions", type=int, default=1000)
    parser.add_argument("--seconds", type=int, default=15)
    parser.add_argument("--connections", type=int, default=8)
    options = parser.parse_args()

    source = DATA / "bench-10000x50.sqlite3"
    if not source.exists():
        subprocess.run([PYTHON, "bench/harness.py", "--seconds", "1"], cwd=ROOT, check=True)
    copy = DATA / "flood.sqlite3"
    shutil.copyfile(source, copy)
    env = {
        **os.environ,
        "DATABASE_URL": f"sqlite:///{copy}",
        "DJANGO_SECRET_KEY": os.environ.get("DJANGO_SECRET_KEY", "bench-only-secret-key"),
        "DJANGO_DEBUG": "0",
        "DJANGO_PAGE_CACHE_SECONDS": "0",
    }
    env.pop("REDIS_URL", None)
    manage = [PYTHON, "manage.py"]
    subprocess.run(manage + ["migrate", "--noinput", "-v0"], cwd=ROOT, env=env, check=True)
    subprocess.run(manage + ["collectstatic", "--noinput", "-v0"], cwd=ROOT, env=env, check=True)
    benchmark_id = subprocess.run(
        manage
        + [
            "shell",
            "-c",
            "from leaderboard.models import Benchmark; "
            "print(Benchmark.objects.get(slug='synthetic-bench-001').pk)",
        ],
        cwd=ROOT,
        env=env,
        check=True,
        capture_output=True,
        text=True,
    ).stdout.split()[-1]

    port = free_port()
    site = f"http://127.0.0.1:{port}"
    command = [PYTHON, "-m", "gunicorn", "leaderboard.wsgi", "-c", GUNICORN_CONF]
    server = Server(command + ["--bind", f"127.0.0.1:{port}"], env, DATA / "flood-gunicorn.log")
    page = f"{site}/?sort=benchmark-synthetic-bench-001&cold={{n}}"
    try:
        wait_for(site + "/benchmarks/")
        for _ in range(3):
            wait_for(site + "/?sort=benchmark-synthetic-bench-001")
        alone = wrk(page, options.connections, options.seconds)
        outcome = {"benchmark_id": benchmark_id}
        flooder = threading.Thread(target=flood, args=(site, options.submissions, outcome))
        flooder.start()
        during = wrk(page, options.connections, options.seconds)
        flooder.join()
    finally:
        server.stop()
        copy.unlink(missing_ok=True)
    write_report(options, alone, during, outcome)


def write_report(options, alone, during, outcome):
    kept, throttled = outcome.get(303, 0), outcome.get(429, 0)
    seconds = outcome.get("seconds", 0)
    per_answer = seconds / max(options.submissions, 1) * 1000
    other = {k: v for k, v in outcome.items() if isinstance(k, int) and k not in (303, 429)}
    lines = [
        START,
        f"## `make flood` ({datetime.now(UTC):%Y-%m-%d %H:%M} UTC)",
        "",
        f"Machine: {os.cpu_count()} cores. The leaderboard sorted by a benchmark, a new URL "
        f"every request (page cache off), on a copy of `make bench`'s 10,000 × 50 data, "
        f"gunicorn as `make run` serves it; wrk, {options.connections} connections, "
        f"{options.seconds} s: alone, then while one client sends {options.submissions:,} "
        "submissions from one address, one after another.",
        "",
        "| leaderboard | requests/s | p50 (ms) | p99 (ms) | errors |",
        "| --- | --- | --- | --- | --- |",
        f"| alone | {alone['rps']:.1f} | {alone['p50']:.2f} | {alone['p99']:.2f} | "
        f"{alone['errors']} |",
        f"| during the flood | {during['rps']:.1f} | {during['p50']:.2f} | {during['p99']:.2f} | "
        f"{during['errors']} |",
        "",
        f"The flood: {kept} kept (303), {throttled} throttled (429), other answers "
        f"{other or 'none'}, in {seconds:.1f} s ({per_answer:.1f} ms an answer). "
        f"During it the leaderboard ran at {during['rps'] / alone['rps']:.2f}× its rate alone.",
        END,
    ]
    write_section("\n".join(lines), START, END)


if __name__ == "__main__":
    main()
