"""``manage.py import_results FILE``: results from a CSV, XLSX or JSON file of rows,
or from an lm-evaluation-harness results file, through the same rules as the admin.
One refused row means nothing is written; importing the same file twice changes
nothing. ``manage.py import_results DIR``: every harness results file under a
directory (org/model/results_*.json), each file all or nothing in its own
transaction, then a summary table of the files."""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from tqdm import tqdm

from leaderboard.imports import directory
from leaderboard.imports.reading import ROW_FORMATS, read_path
from leaderboard.imports.run import ImportRefused, import_rows

FORMATS = [*ROW_FORMATS, "lm-eval"]
# Files with at least this many rows show a progress bar.
PROGRESS_FROM = 1000
# A directory with at least this many files shows a progress bar over its files.
PROGRESS_FROM_FILES = 20
# The .json files one directory may hold (a directory with more is refused before any
# file is read): the Open LLM Leaderboard's results repository holds about 7,500.
MAX_DIRECTORY_FILES = 10_000


def pairs(values, option):
    """{"a": "b"} from ["a=b", …], refusing an entry without "="."""
    found = {}
    for value in values or ():
        key, sep, target = value.partition("=")
        if not sep or not key.strip() or not target.strip():
            raise CommandError(f"{option} {value!r}: write it as NAME=SLUG.")
        found[key.strip()] = target.strip()
    return found


def looks_like_harness(path):
    """Whether a .json file is a harness's results file rather than rows: rows are a
    JSON list, a results file an object (``HarnessFile`` then says if it is not one).
    Read, not parsed: the import parses it once."""
    try:
        with path.open(encoding="utf-8-sig") as file:
            start = file.read(4096).lstrip()
    except (UnicodeDecodeError, OSError):
        return False
    return start.startswith("{")


class Command(BaseCommand):
    help = __doc__

    def add_arguments(self, parser):
        parser.add_argument(
            "file",
            help="A file of rows or a harness results file, or a directory of harness results "
            "files (org/model/results_*.json).",
        )
        parser.add_argument(
            "--format",
            choices=FORMATS,
            help="The file's format; by default from its suffix (a .json file holding a "
            '"results" object is read as lm-eval).',
        )
        parser.add_argument(
            "--dry-run",
            action="store_true",
            help="Check every row and report what would change; write nothing.",
        )
        parser.add_argument(
            "--model",
            help="lm-eval: the model's slug, if the file's name "
            "for it is not one of its names or aliases.",
        )
        parser.add_argument(
            "--task",
            action="append",
            metavar="TASK=SLUG",
            help="lm-eval: the benchmark a task is (repeatable); the task's name becomes "
            "one of the benchmark's aliases.",
        )
        parser.add_argument(
            "--metric",
            action="append",
            metavar="SLUG=METRIC",
            help="lm-eval: the metric to import for a benchmark (default acc_norm, else "
            "acc, else the benchmark's own).",
        )
        parser.add_argument(
            "--skip-unknown-tasks",
            action="store_true",
            help="lm-eval: leave out tasks that match no benchmark instead of refusing.",
        )

    def handle(self, *args, file, format, dry_run, **options):
        self.bars = []
        path = Path(file)
        if path.is_dir():
            return self.import_directory(path, format, dry_run, options)
        if not path.is_file():
            raise CommandError(f"No file {file!r}.")
        fmt = format or path.suffix.lstrip(".").lower()
        if fmt == "json" and not format and looks_like_harness(path):
            fmt = "lm-eval"
        try:
            if fmt == "lm-eval":
                report, skipped = self.import_harness(path, dry_run, options)
            else:
                dataset = read_path(path, fmt)
                report, skipped = self.run(dataset, dry_run), []
        except ImportRefused as refused:
            raise CommandError(f"Nothing was written: {refused}") from refused
        for line in skipped:
            self.stdout.write(line)
        if report.refused:
            for line in report.refused:
                self.stderr.write(line)
            raise CommandError(report.summary(dry_run))
        if dry_run:
            for number, kind, what in report.rows:
                self.stdout.write(f"Row {number}: {kind}: {what}")
        self.stdout.write(report.summary(dry_run))

    def run(self, rows, dry_run):
        try:
            return import_rows(rows, dry_run=dry_run, progress=self.progress)
        finally:
            self.close_bars()

    def import_harness(self, path, dry_run, options):
        """Import a harness's results file, as each file of a directory is imported
        (``directory.import_text``)."""
        text = directory.read_text(path, path.name)
        return directory.import_text(
            text, path.name, dry_run=dry_run, progress=self.progress, **harness_options(options)
        )

    def progress(self, total, unit="row", start=PROGRESS_FROM):
        bar = tqdm(total=total, file=self.stderr, disable=total < start, unit=unit)
        self.bars.append(bar)
        return bar.update

    def import_directory(self, path, format, dry_run, options):
        """Import every harness results file under ``path`` (``directory``), then
        print the table of files; CommandError when a file was refused."""
        if format not in (None, "lm-eval"):
            raise CommandError(
                f"--format {format}: a directory is read as lm-evaluation-harness results "
                "files; import a file of rows on its own."
            )
        outcomes, harness = [], harness_options(options)
        try:
            for outcome in directory.import_directory(
                path,
                max_files=MAX_DIRECTORY_FILES,
                dry_run=dry_run,
                progress=lambda total: self.progress(total, "file", PROGRESS_FROM_FILES),
                **harness,
            ):
                outcomes.append(outcome)
        except ImportRefused as refused:
            raise CommandError(str(refused)) from refused
        except Exception:
            # An error no rule foresaw: the files before it stay imported; say which.
            self.close_bars()
            for line in directory.summary(outcomes, dry_run):
                self.stdout.write(line)
            self.stderr.write(
                "Stopped by the error below: the files above are as the table says; the "
                "rest were not read."
            )
            raise
        finally:
            self.close_bars()
        for line in directory.summary(outcomes, dry_run):
            self.stdout.write(line)
        error = directory.closing_error(outcomes, dry_run)
        if error:
            raise CommandError(error)

    def close_bars(self):
        for bar in self.bars:
            bar.close()
        self.bars.clear()


def harness_options(options):
    """The lm-eval options, as ``HarnessFile`` takes them."""
    return {
        "model": options.get("model"),
        "tasks": pairs(options.get("task"), "--task"),
        "metrics": pairs(options.get("metric"), "--metric"),
        "skip_unknown": options.get("skip_unknown_tasks", False),
    }
