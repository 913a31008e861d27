"""`make scale`: the leaderboard's exports and imports at 10,000 models × 50 benchmarks.

Builds the synthetic data set (make_demo_data) in its own SQLite file, then, in this
process, times:

- the CSV and JSON exports of the whole leaderboard with every benchmark shown (time
  to the first byte and to the last, as a client reading the stream sees them; the
  median of three requests): built, as the first request after a change of the data
  is, then served the copy kept on disk (``web.downloads``), as later ones are;
- an import of 10,000 new results through `import_results`: the dry run (the
  preview) and the import itself, every row checked by the quote rule against a
  source that states it;
- the same file through the admin, as an editor's browser sends it: the upload and
  its preview, then Confirm (10,000 rows is the limit of one file: each step has to
  answer within gunicorn's 30 s);
- `import_results DIR` of 1,000 lm-evaluation-harness results files laid out as the
  Open LLM Leaderboard's results repository is (org/model/results_*.json), one a
  synthetic model, each file in its own transaction; then the same directory again.

Prints the figures and writes them to docs/benchmarks.md with the machine.

Usage: python bench/scale.py [--models N] [--benchmarks M] [--rows R] [--harness-files F]
       [--reuse]
"""

import argparse
import csv
import os
import platform
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
DATA = ROOT / "bench" / "data"
DOC = ROOT / "docs" / "benchmarks.md"
START, END = "<!-- make scale: start -->", "<!-- make scale: end -->"
# Requests timed for each export.
RUNS = 3


def build(database, models, benchmarks, reuse):
    env = {**os.environ, "DATABASE_URL": f"sqlite:///{database}"}
    if reuse and database.exists():
        return env
    database.unlink(missing_ok=True)
    manage = [sys.executable, "manage.py"]
    subprocess.run([*manage, "migrate", "-v0"], cwd=ROOT, env=env, check=True)
    subprocess.run(
        [*manage, "make_demo_data", "--models", str(models), "--benchmarks", str(benchmarks)],
        cwd=ROOT,
        env=env,
        check=True,
        stdout=subprocess.DEVNULL,
    )
    return env


def timed_export(client, query):
    start = time.perf_counter()
    response = client.get("/", query)
    first, size = None, 0
    for chunk in response.streaming_content:
        first = first if first is not None else time.perf_counter() - start
        size += len(chunk)
    return first, time.perf_counter() - start, size


def timed_exports(client, query, copies):
    """Table lines for an export: built (the first request after the data changed:
    each of ``RUNS`` into an empty folder of copies, so each builds and keeps one),
    then served the copy the last one kept (``web.downloads``). Each the median of
    ``RUNS`` requests: the first in a process also pays for imports and warming
    caches, which a worker pays once."""
    from django.conf import settings

    name = f"{query['_export'].upper()} export, every model and benchmark"
    built = []
    for run in range(RUNS):
        settings.DOWNLOADS_DIR = str(copies / f"{query['_export']}-{run}")
        built.append(timed_export(client, query))
    kept = [timed_export(client, query) for _ in range(RUNS)]
    lines = []
    for how, runs in (("built", built), ("served its kept copy", kept)):
        first = statistics.median(run[0] for run in runs)
        total = statistics.median(run[1] for run in runs)
        lines.append(
            f"| {name}, {how} | {first:.2f} s | {total:.2f} s | {runs[0][2] / 1e6:.0f} MB |"
        )
    return lines


def import_file(directory, rows):
    """A source stating ``rows`` new results (one sentence each) and a CSV of them."""
    from leaderboard.models import AIModel, Benchmark, Result, Source
    from leaderboard.rules import writes

    models = list(AIModel.objects.filter(slug__startswith="synthetic-").order_by("pk"))
    benchmarks = list(
        Benchmark.objects.filter(slug__startswith="synthetic-bench-", result_kind="score")
    )
    sentences, lines = [], []
    for n in range(rows):
        model, benchmark = models[n % len(models)], benchmarks[n // len(models)]
        value = f"{(n * 7919) % 1000 / 10:.1f}"
        sentence = f"{model.name} scored {value} on {benchmark.name}."
        sentences.append(sentence)
        lines.append([model.slug, benchmark.slug, "scale-import", value, "independent", sentence])
    writes.delete_all(Result.objects.filter(source__slug="scale-import"))
    writes.delete_all(Source.objects.filter(slug="scale-import"))
    writes.save(
        Source(
            title="Synthetic import for bench/scale.py (not real)",
            slug="scale-import",
            kept_text="\n".join(sentences),
        )
    )
    path = directory / "scale-import.csv"
    with path.open("w", newline="") as file:
        writer = csv.writer(file)
        writer.writerow(["model", "benchmark", "source", "value", "provenance", "quote"])
        writer.writerows(lines)
    return path


def harness_directory(directory, files):
    """``files`` lm-evaluation-harness results files under ``directory``, shaped like
    tests/data/lm_eval_example.json, laid out org/model/results_*.json: one a
    synthetic model, which each names by its name (``model_name``), giving three tasks
    named by benchmarks' slugs (two scores, one percentage, as fractions)."""
    import json

    from leaderboard.models import AIModel, Benchmark

    models = list(
        AIModel.objects.filter(slug__startswith="synthetic-model-")
        .select_related("organization")
        .order_by("pk")[:files]
    )
    synthetic = Benchmark.objects.filter(slug__startswith="synthetic-bench-").order_by("slug")
    tasks = [
        *synthetic.filter(result_kind="score", higher_is_better=True)[:2],
        synthetic.filter(result_kind="percentage").first(),
    ]
    for n, model in enumerate(models):
        figures = {}
        for k, benchmark in enumerate(tasks):
            acc = (n * 7919 + k * 104729) % 9000 / 10000 + 0.05
            figures[benchmark.slug] = {
                "alias": benchmark.slug,
                "acc,none": acc,
                "acc_stderr,none": 0.0097,
                "acc_norm,none": round(acc * 0.95, 6),
                "acc_norm_stderr,none": 0.0099,
            }
        data = {
            "results": figures,
            "versions": {task: 1.0 for task in figures},
            "n-shot": {task: 0 for task in figures},
            "config": {
                "model": "hf",
                "model_args": f"pretrained=synthetic/{model.slug},dtype=float32",
                "batch_size": "8",
            },
            "git_hash": "0000000",
            "date": 1767225600.0,
            "model_name": model.name,
        }
        folder = directory / model.organization.slug / model.slug
        folder.mkdir(parents=True, exist_ok=True)
        (folder / "results_2026-01-01T00-00-00.000000.json").write_text(json.dumps(data, indent=2))
    return len(models)


def clear_harness_import():
    """Remove what the harness files' import wrote, its results then their sources,
    through the write path: a plain delete of results leaves their groups without a
    headline (the data set's next export then shows fewer results)."""
    from leaderboard.models import Result, Source
    from leaderboard.rules import writes

    writes.delete_all(Result.objects.filter(source__slug__startswith="lm-eval-synthetic-model-"))
    writes.delete_all(Source.objects.filter(slug__startswith="lm-eval-synthetic-model-"))


def timed_import(path, *args):
    from io import StringIO

    from django.core.management import call_command

    start = time.perf_counter()
    out = StringIO()
    call_command("import_results", str(path), *args, stdout=out, stderr=StringIO())
    return time.perf_counter() - start, out.getvalue().strip().splitlines()[-1]


def timed_admin_import(client, path):
    """The admin's preview of ``path`` and its confirm: each step's seconds and what
    the page said."""
    import re

    from django.contrib.auth import get_user_model

    editor, _ = get_user_model().objects.get_or_create(
        username="scale-editor", defaults={"is_staff": True, "is_superuser": True}
    )
    client.force_login(editor)
    start = time.perf_counter()
    with path.open("rb") as file:
        shown = client.post(
            "/admin/leaderboard/result/import/", {"import_file": file, "format": "csv"}
        )
    preview = time.perf_counter() - start
    page = shown.content.decode()
    hidden = dict(re.findall(r'<input type="hidden" name="(\w+)" value="([^"]*)"', page))
    said = re.search(r'id="import-summary">\s*(.*?)\s*</p>', page, re.S)
    start = time.perf_counter()
    done = client.post("/admin/leaderboard/result/import/confirm/", hidden, follow=True)
    confirm = time.perf_counter() - start
    finished = re.search(r"Import of .*? finished: (.*?)</li>", done.content.decode())
    return (
        (preview, said.group(1) if said else f"HTTP {shown.status_code}"),
        (confirm, finished.group(1) if finished else f"HTTP {done.status_code}"),
    )


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--models", type=int, default=10_000)
    parser.add_argument("--benchmarks", type=int, default=50)
    parser.add_argument("--rows", type=int, default=10_000)
    parser.add_argument("--harness-files", type=int, default=1000)
    parser.add_argument("--reuse", action="store_true", help="keep an existing data set")
    options = parser.parse_args()
    DATA.mkdir(parents=True, exist_ok=True)
    database = DATA / f"scale-{options.models}x{options.benchmarks}.sqlite3"
    # Set before the data set is built: its migrate and make_demo_data need a key too.
    os.environ.setdefault("DJANGO_SECRET_KEY", "scale-benchmark-only")
    env = build(database, options.models, options.benchmarks, options.reuse)
    os.environ.update(
        DATABASE_URL=env["DATABASE_URL"],
        DJANGO_SETTINGS_MODULE="leaderboard.settings",
        DJANGO_PAGE_CACHE_SECONDS="0",
    )
    sys.path.insert(0, str(ROOT))
    import django

    django.setup()
    from django.conf import settings
    from django.test import Client

    from leaderboard.models import Benchmark, Result
    from leaderboard.rules import writes

    settings.ALLOWED_HOSTS = ["*"]
    # The admin's pages name static files; this run has no collectstatic manifest.
    settings.STORAGES = {
        **settings.STORAGES,
        "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
    }
    client = Client()
    show = {"show": list(Benchmark.objects.values_list("slug", flat=True))}
    lines = []
    with tempfile.TemporaryDirectory() as copies:
        for export_format in ("csv", "json"):
            lines += timed_exports(client, {**show, "_export": export_format}, Path(copies))
    path = import_file(DATA, options.rows)
    preview, said = timed_import(path, "--dry-run")
    lines.append(
        f"| import {options.rows:,} rows, dry run (preview) | | {preview:.1f} s | {said} |"
    )
    written, said = timed_import(path)
    lines.append(f"| import {options.rows:,} rows | | {written:.1f} s | {said} |")
    again, said = timed_import(path)
    lines.append(f"| the same file again | | {again:.1f} s | {said} |")
    writes.delete_all(Result.objects.filter(source__slug="scale-import"))
    (preview, said), (confirmed, done) = timed_admin_import(client, path)
    lines.append(
        f"| admin import of {options.rows:,} rows, preview | | {preview:.1f} s | {said} |"
    )
    lines.append(f"| admin import: Confirm | | {confirmed:.1f} s | {done} |")
    writes.delete_all(Result.objects.filter(source__slug="scale-import"))
    clear_harness_import()
    with tempfile.TemporaryDirectory() as scratch:
        files = harness_directory(Path(scratch), options.harness_files)
        seconds, said = timed_import(scratch)
        lines.append(f"| a directory of {files:,} lm-eval files | | {seconds:.1f} s | {said} |")
        again, said = timed_import(scratch)
        lines.append(f"| the same directory again | | {again:.1f} s | {said} |")
    clear_harness_import()
    table = "\n".join(
        [
            f"{options.models:,} models × {options.benchmarks} benchmarks "
            f"({Result.objects.count():,} results), SQLite, in one process; "
            f"{platform.processor() or platform.machine()}, {os.cpu_count()} cores, "
            f"Python {platform.python_version()}; {datetime.now(UTC):%Y-%m-%d}.",
            "",
            f"Exports: the median of {RUNS} requests, built (each keeping a copy), then "
            "served the kept copy through Django's test client (gunicorn sends the file "
            "itself). Imports: one run each.",
            "",
            "| what | first byte | total | |",
            "| --- | --- | --- | --- |",
            *lines,
        ]
    )
    print(table)
    text = DOC.read_text() if DOC.exists() else ""
    block = f"{START}\n{table}\n{END}"
    if START in text:
        text = text[: text.index(START)] + block + text[text.index(END) + len(END) :]
    else:
        text += f"\n## Exports and imports at scale (`make scale`)\n\n{block}\n"
    DOC.write_text(text)


if __name__ == "__main__":
    main()
