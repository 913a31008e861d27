"""Write the whole database to one JSON file that `restore` (or `loaddata`) reads."""

import json
import os
import tempfile
from pathlib import Path

from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError

# Rebuilt by `migrate` (content types, permissions), short-lived (sessions, login
# attempts), or recomputed on load (the data version, as-of copies): not part of a backup.
EXCLUDED = [
    "contenttypes",
    "auth.permission",
    "sessions",
    "axes",
    "leaderboard.dataversion",
    "leaderboard.asofsnapshot",
    "leaderboard.standing",
]


class Command(BaseCommand):
    help = (
        "Back up every table worth keeping (data, history, editors) to a JSON file. "
        "Primary keys are kept, so histories still point at their rows; foreign keys "
        "to content types and permissions use natural keys. The file is written beside "
        "its final name, read back, and only then renamed into place, readable by its "
        "owner only (it holds password hashes). Restore it with `manage.py restore FILE`."
    )

    def add_arguments(self, parser):
        parser.add_argument("output", help="Path of the JSON file to write.")

    def handle(self, *args, output, **options):
        target = Path(output)
        # Beside the target, so the rename is atomic; created 0600 by mkstemp.
        descriptor, partial = tempfile.mkstemp(
            dir=target.parent, prefix=f".{target.name}.", suffix=".partial"
        )
        os.close(descriptor)
        try:
            call_command(
                "dumpdata",
                format="backup",
                natural_foreign=True,
                exclude=EXCLUDED,
                indent=1,
                output=partial,
                verbosity=0,
            )
            rows = self.read_back(Path(partial))
            os.replace(partial, target)
        except BaseException:
            Path(partial).unlink(missing_ok=True)
            raise
        self.stdout.write(f"Backed up {rows} rows to {output}")

    def read_back(self, path):
        """The number of rows in the written file; a file that does not read back
        whole is not a backup."""
        try:
            rows = json.loads(path.read_text(encoding="utf-8"))
        except (OSError, ValueError) as error:
            raise CommandError(f"The backup did not read back: {error}") from error
        if not isinstance(rows, list) or not all(
            isinstance(row, dict) and "model" in row for row in rows
        ):
            raise CommandError("The backup did not read back as a list of rows.")
        return len(rows)
