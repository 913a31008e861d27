"""``manage.py import_results FILE``: results from a CSV, XLSX or JSON file of rows,
or from an lm-evaluation-harness results file, through the same rules as the admin.
One refused row means nothing is written; importing the same file twice changes
nothing."""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from tqdm import tqdm

from leaderboard.imports.harness import HarnessFile, check_size
from leaderboard.imports.reading import ROW_FORMATS, read_path
from leaderboard.imports.run import ImportRefused, import_rows

FORMATS = [*ROW_FORMATS, "lm-eval"]
# Files with at least this many rows show a progress bar.
PROGRESS_FROM = 1000


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
        parser.add_argument("file")
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
        path = Path(file)
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
        for task in skipped:
            self.stdout.write(f"Left out task {task!r}: it matches no benchmark.")
        if report.refused:
            for line in report.refused:
                self.stderr.write(line)
            raise CommandError(report.summary(dry_run))
        if dry_run:
            for number, kind, what in report.rows:
                self.stdout.write(f"Row {number}: {kind}: {what}")
        self.stdout.write(report.summary(dry_run))

    def run(self, rows, dry_run):
        bars = []

        def progress(total):
            bar = tqdm(total=total, file=self.stderr, disable=total < PROGRESS_FROM, unit="row")
            bars.append(bar)
            return bar.update

        try:
            return import_rows(rows, dry_run=dry_run, progress=progress)
        finally:
            for bar in bars:
                bar.close()

    def import_harness(self, path, dry_run, options):
        """Import a harness's results file. Its size is checked before it is read, and
        every task is read and checked (``HarnessFile``) before the transaction in
        which its source and results are written."""
        check_size(path.stat().st_size, path.name)
        try:
            text = path.read_text(encoding="utf-8-sig")
        except UnicodeDecodeError as error:
            raise ImportRefused(f"{path.name}: not UTF-8 text.") from error
        harness = HarnessFile(
            text,
            path.name,
            model=options.get("model"),
            tasks=pairs(options.get("task"), "--task"),
            metrics=pairs(options.get("metric"), "--metric"),
            skip_unknown=options.get("skip_unknown_tasks", False),
        )
        # The source (and any alias the mapping adds) is saved inside the import's
        # transaction: written only when every row is.
        report = self.run(lambda: harness.rows(harness.save_source()), dry_run)
        return report, harness.skipped
