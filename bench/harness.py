"""`make bench`: the site against Datasette and a static file, on the same data.

Builds the synthetic data set in its own SQLite file, serves it with the project's
production setup (gunicorn and whitenoise) and, in the same run, serves the same file
with Datasette; measures each with wrk at the same concurrency; prints a table and
writes it to docs/benchmarks.md with the machine and the command.

Usage: python bench/harness.py [--models N] [--benchmarks M] [--connections C]
       [--seconds S] [--reuse]
"""

import argparse
import os
import platform
import re
import shutil
import socket
import sqlite3
import subprocess
import sys
import time
import urllib.parse
import urllib.request
from contextlib import closing
from datetime import UTC, datetime, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
DATA = ROOT / "bench" / "data"
DOC = ROOT / "docs" / "benchmarks.md"
START, END = "<!-- make bench: start -->", "<!-- make bench: end -->"
PYTHON = sys.executable
GUNICORN_CONF = "python:leaderboard.gunicorn_conf"  # as make run serves the site
RESULT = re.compile(r"RESULT (.*)")
# A distinct URL every request and no page cache: the page is assembled from rows and
# parts rendered once per data version (``caching.rows_per_data_version``).
RENDERED = "a new URL every request (no page cache; rows rendered once per data version)"
# The same with the parts cache off too: every row, leader and chart made afresh.
COLD = "every request rendered from nothing (no page or parts cache, distinct query)"


def free_port():
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def wait_for(url, timeout=60):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            with urllib.request.urlopen(url, timeout=5) as response:
                return response.read(), response.headers
        except OSError:
            time.sleep(0.3)
    raise RuntimeError(f"{url} did not answer within {timeout} s")


def fetch(url, headers=None):
    request = urllib.request.Request(url, headers=headers or {})
    try:
        with urllib.request.urlopen(request, timeout=30) as response:
            return response.status, response.read(), response.headers
    except urllib.error.HTTPError as error:
        return error.code, b"", error.headers


class Server:
    def __init__(self, command, env, log):
        self.log = open(log, "w")  # noqa: SIM115 - closed in stop()
        self.process = subprocess.Popen(
            command, cwd=ROOT, env=env, stdout=self.log, stderr=subprocess.STDOUT
        )

    def stop(self):
        self.process.terminate()
        try:
            self.process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            self.process.kill()
        self.log.close()


def wrk(url, connections, seconds, headers=()):
    parts = urllib.parse.urlsplit(url)
    path = parts.path + (f"?{parts.query}" if parts.query else "")
    command = ["wrk", "-t2", f"-c{connections}", f"-d{seconds}s", "--timeout", "10s"]
    for header in headers:
        command += ["-H", header]
    command += ["-s", str(ROOT / "bench" / "wrk.lua"), f"{parts.scheme}://{parts.netloc}"]
    command += ["--", path]
    if not shutil.which("wrk"):  # the small Python load generator, same RESULT line
        command = [PYTHON, str(ROOT / "bench" / "pyload.py"), f"-c{connections}"]
        command += [f"-d{seconds}", f"{parts.scheme}://{parts.netloc}", path]
        for header in headers:
            command += ["-H", header]
    output = subprocess.run(command, capture_output=True, text=True, check=True).stdout
    fields = dict(item.split("=") for item in RESULT.search(output).group(1).split())
    errors = sum(
        int(fields[k])
        for k in ["connect_errors", "read_errors", "write_errors", "timeouts", "non_2xx_3xx"]
    )
    return {
        "rps": float(fields["rps"]),
        "p50": float(fields["p50_ms"]),
        "p99": float(fields["p99_ms"]),
        "errors": errors,
    }


def build_data(database, models, benchmarks, env, reuse):
    if reuse and database.exists():
        return
    for suffix in ["", "-wal", "-shm"]:
        Path(f"{database}{suffix}").unlink(missing_ok=True)
    manage = [PYTHON, "manage.py"]
    subprocess.run(manage + ["migrate", "--noinput", "-v0"], cwd=ROOT, env=env, check=True)
    subprocess.run(
        manage
        + ["make_demo_data", "--models", str(models), "--benchmarks", str(benchmarks)]
        + ["--seed", "1"],
        cwd=ROOT,
        env=env,
        check=True,
    )


def prepare_data(database, env):
    """Migrate (a reused file may predate the code), and date the history written
    today two days back, so the leaderboard "as of yesterday" (``?as_of=``) holds the
    whole synthetic set, as it would a day after it was made. Then fold the
    write-ahead log into the file: Datasette reads the file as it is."""
    subprocess.run(
        [PYTHON, "manage.py", "migrate", "--noinput", "-v0"], cwd=ROOT, env=env, check=True
    )
    # One connection, closed before the journal mode changes (it needs the file alone).
    with closing(sqlite3.connect(database)) as connection, connection:
        tables = [
            name
            for (name,) in connection.execute(
                "SELECT name FROM sqlite_master WHERE type = 'table' "
                "AND name LIKE 'leaderboard_historical%'"
            )
        ]
        for table in tables:
            connection.execute(
                f"UPDATE {table} SET history_date = datetime(history_date, '-2 days') "
                "WHERE history_date >= date('now', '-1 day')"
            )
    with closing(sqlite3.connect(database)) as connection:
        connection.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        connection.execute("PRAGMA journal_mode=DELETE")


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--models", type=int, default=10_000)
    parser.add_argument("--benchmarks", type=int, default=50)
    parser.add_argument("--connections", type=int, default=8)
    parser.add_argument("--seconds", type=int, default=15)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--reuse", action="store_true", help="Keep an existing data file.")
    options = parser.parse_args()

    DATA.mkdir(parents=True, exist_ok=True)
    database = DATA / f"bench-{options.models}x{options.benchmarks}.sqlite3"
    env = {
        **os.environ,
        "DATABASE_URL": f"sqlite:///{database}",
        "DJANGO_SECRET_KEY": os.environ.get("DJANGO_SECRET_KEY", "bench-only-secret-key"),
        "DJANGO_DEBUG": "0",
    }
    env.pop("REDIS_URL", None)
    build_data(database, options.models, options.benchmarks, env, options.reuse)
    prepare_data(database, env)
    subprocess.run(
        [PYTHON, "manage.py", "collectstatic", "--noinput", "-v0"], cwd=ROOT, env=env, check=True
    )

    benchmark_id, benchmark_slug = (
        sqlite3.connect(database)
        .execute("SELECT id, slug FROM leaderboard_benchmark WHERE slug = 'synthetic-bench-001'")
        .fetchone()
    )
    site_port, datasette_port = free_port(), free_port()
    site = f"http://127.0.0.1:{site_port}"
    datasette = f"http://127.0.0.1:{datasette_port}"
    ranking = f"{site}/benchmarks/{benchmark_slug}/"
    home_sorted = f"{site}/?sort=benchmark-{benchmark_slug}"
    datasette_ranking = (
        f"{datasette}/{database.stem}/leaderboard_result?benchmark_id={benchmark_id}"
        "&_sort_desc=value&_size=50"
    )

    def serve_site(cache_seconds, part_seconds=3600):
        server_env = {
            **env,
            "DJANGO_PAGE_CACHE_SECONDS": str(cache_seconds),
            "DJANGO_PART_CACHE_SECONDS": str(part_seconds),
        }
        command = [PYTHON, "-m", "gunicorn", "leaderboard.wsgi", "-c", GUNICORN_CONF]
        command += ["--bind", f"127.0.0.1:{site_port}", "--workers", str(options.workers)]
        server = Server(command, server_env, DATA / "gunicorn.log")
        wait_for(site + "/benchmarks/")
        return server

    # Size the static file like the sorted home page, before whitenoise starts.
    server = serve_site(600)
    page_size = len(fetch(home_sorted)[1])
    server.stop()
    same_size = ROOT / "staticfiles" / "bench-same-size.html"
    same_size.write_bytes(b"x" * page_size)

    rows = []
    copy_seconds = []

    def measure(label, url, headers=()):
        for _ in range(3):  # warm up: first requests fill caches and connections
            fetch(url, dict(h.split(": ", 1) for h in headers))
        figures = wrk(url, options.connections, options.seconds, headers)
        rows.append((label, figures))
        print(f"{label}: {figures}", flush=True)

    datasette_server = Server(
        [PYTHON, "-m", "datasette", "serve", "-i", str(database), "--port", str(datasette_port)]
        + ["--setting", "default_page_size", "50", "--setting", "suggest_facets", "off"],
        env,
        DATA / "datasette.log",
    )
    try:
        wait_for(datasette + "/")
        measure("Datasette: benchmark ranking, 50 rows (default count)", datasette_ranking)
        measure(
            "Datasette: benchmark ranking, 50 rows (_nocount=1)", datasette_ranking + "&_nocount=1"
        )
    finally:
        datasette_server.stop()

    # Every request rendered: the page cache off and, so that no cache keyed on the URL
    # could answer either, a query parameter no other request uses ("{n}", see
    # bench/wrk.lua), as for a filter combination never seen before.
    server = serve_site(0)
    try:
        measure(f"Site: (1) benchmark ranking, 50 rows, {RENDERED}", f"{ranking}?cold={{n}}")
        measure(
            f"Site: (2) leaderboard sorted by a benchmark, {RENDERED}", f"{home_sorted}&cold={{n}}"
        )
        measure(f"Site: leaderboard, default order, {RENDERED}", f"{site}/?cold={{n}}")
        # Issue 20: a suite's page, and the leaderboard sorted by an average, each
        # against the plain leaderboard above (target: within 3x its time).
        measure(f"Site: (5) suite page, {RENDERED}", f"{site}/suites/{SUITE}/?cold={{n}}")
        measure(
            f"Site: (6) leaderboard sorted by an average of four, {RENDERED}",
            f"{site}/?average={AVERAGED}&sort=average&cold={{n}}",
        )
        # Issue 20: the leaderboard as it stood yesterday, from its copy, built by the
        # first request (timed apart).
        as_of = f"{site}/?as_of={YESTERDAY}"
        started = time.monotonic()
        fetch(as_of)
        copy_seconds.append(time.monotonic() - started)
        measure(f"Site: (7) leaderboard as of yesterday, {RENDERED}", f"{as_of}&cold={{n}}")
    finally:
        server.stop()
    server = serve_site(0, part_seconds=0)
    try:
        measure(f"Site: (1) benchmark ranking, 50 rows, {COLD}", f"{ranking}?cold={{n}}")
        measure(
            f"Site: (2) leaderboard sorted by a benchmark, {COLD}", f"{home_sorted}&cold={{n}}"
        )
    finally:
        server.stop()

    for cache_seconds, cache_label in [(600, "data-version cache")]:
        server = serve_site(cache_seconds)
        try:
            measure(f"Site: (1) benchmark ranking, 50 rows, {cache_label}", ranking)
            measure(f"Site: (2) leaderboard sorted by a benchmark, {cache_label}", home_sorted)
            if cache_seconds:
                etag = fetch(home_sorted)[2]["ETag"]
                status = fetch(home_sorted, {"If-None-Match": etag})[0]
                assert status == 304, status
                measure(
                    "Site: (4) conditional request answered 304",
                    home_sorted,
                    [f"If-None-Match: {etag}"],
                )
                measure(
                    f"Whitenoise: (3) static file of the same size ({page_size:,} bytes)",
                    f"{site}/static/bench-same-size.html",
                )
        finally:
            server.stop()
    same_size.unlink(missing_ok=True)
    write_report(rows, options, copy_seconds[0])


# make_demo_data's suite, and the benchmarks it averages.
SUITE = "synthetic-suite"
AVERAGED = ",".join(f"synthetic-bench-{n:03d}" for n in range(1, 5))
YESTERDAY = (datetime.now(UTC) - timedelta(days=1)).date().isoformat()

# Named in the report as it was used: without wrk, bench/pyload.py drives the load from
# the same two cores the servers share, and the fast pages' figures drop the most.
LOAD_GENERATOR = "wrk" if shutil.which("wrk") else "bench/pyload.py (wrk is not installed)"


def write_report(rows, options, copy_seconds):
    by_label = dict(rows)
    datasette_best = max(v["rps"] for k, v in rows if k.startswith("Datasette"))
    static = next(v["rps"] for k, v in rows if k.startswith("Whitenoise"))
    lines = [
        START,
        f"## `make bench` ({datetime.now(UTC):%Y-%m-%d %H:%M} UTC)",
        "",
        f"Machine: {os.cpu_count()} cores, {platform.machine()}, Python "
        f"{platform.python_version()}, SQLite {sqlite3.sqlite_version}. "
        f"Data: `make_demo_data --models {options.models} --benchmarks {options.benchmarks} "
        f"--seed 1` in one SQLite file, served by gunicorn ({options.workers} workers, "
        "whitenoise) and by Datasette 0.65.5 (immutable mode, facet suggestions off). "
        f"{LOAD_GENERATOR}, {options.connections} connections, {options.seconds} s each.",
        "",
        f"Command: `make bench` (`python bench/harness.py --models {options.models} "
        f"--benchmarks {options.benchmarks} --connections {options.connections} "
        f"--seconds {options.seconds}`)",
        "",
        "| measurement | requests/s | p50 (ms) | p99 (ms) | errors | vs best Datasette | "
        "vs static file |",
        "| --- | --- | --- | --- | --- | --- | --- |",
    ]
    for label, v in rows:
        lines.append(
            f"| {label} | {v['rps']:.1f} | {v['p50']:.2f} | {v['p99']:.2f} | {v['errors']} | "
            f"{v['rps'] / datasette_best:.2f}× | {v['rps'] / static:.2f}× |"
        )
    ranking_cached = by_label["Site: (1) benchmark ranking, 50 rows, data-version cache"]["rps"]
    home_cached = by_label["Site: (2) leaderboard sorted by a benchmark, data-version cache"][
        "rps"
    ]
    ranking_rendered = by_label[f"Site: (1) benchmark ranking, 50 rows, {RENDERED}"]["rps"]
    home_rendered = by_label[f"Site: (2) leaderboard sorted by a benchmark, {RENDERED}"]["rps"]
    ranking_cold = by_label[f"Site: (1) benchmark ranking, 50 rows, {COLD}"]["rps"]
    home_cold = by_label[f"Site: (2) leaderboard sorted by a benchmark, {COLD}"]["rps"]
    plain = by_label[f"Site: leaderboard, default order, {RENDERED}"]["rps"]
    suite = by_label[f"Site: (5) suite page, {RENDERED}"]["rps"]
    averaged = by_label[f"Site: (6) leaderboard sorted by an average of four, {RENDERED}"]["rps"]
    past = by_label[f"Site: (7) leaderboard as of yesterday, {RENDERED}"]["rps"]
    lines += [
        "",
        "Targets, a new URL every request: (1) the benchmark ranking at least 5× Datasette: "
        f"{ranking_rendered / datasette_best:.2f}×; (2) the leaderboard sorted by a benchmark "
        f"at least 3× Datasette: {home_rendered / datasette_best:.2f}×. Rendered from "
        f"nothing: (1) {ranking_cold / datasette_best:.2f}×, (2) "
        f"{home_cold / datasette_best:.2f}×. With the page cache: "
        f"(1) {ranking_cached / datasette_best:.2f}× Datasette; (2) "
        f"{home_cached / static:.2f}× the static file (target: at least half).",
        "",
        "Issue 20, a new URL every request, against the leaderboard in its default order "
        f"(target: at least a third of its rate): (5) the suite page {suite / plain:.2f}×; "
        f"(6) the leaderboard sorted by an average {averaged / plain:.2f}×; "
        f"(7) the leaderboard as of yesterday {past / plain:.2f}× (its copy, rebuilt "
        f"from history by the first request, took {copy_seconds:.1f} s).",
        END,
    ]
    write_section("\n".join(lines), START, END)


def write_section(report, start, end):
    """Print ``report`` (which begins with ``start`` and ends with ``end``) and put it in
    docs/benchmarks.md in place of the section between those markers, or at the end."""
    print(report)
    text = DOC.read_text(encoding="utf-8")
    if start in text:
        text = text[: text.index(start)] + report + text[text.index(end) + len(end) :]
    else:
        text = text.rstrip() + "\n\n" + report + "\n"
    DOC.write_text(text, encoding="utf-8")


if __name__ == "__main__":
    main()
