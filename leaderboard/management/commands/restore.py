"""Replace the database's contents with a backup, all or nothing."""

import json
import sys
from pathlib import Path

from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from leaderboard.models import DataVersion
from leaderboard.rules import writes


class Command(BaseCommand):
    help = (
        "Restore a file written by `manage.py backup`: empty the database and load the "
        "file in one transaction, so the result is exactly the backup, and a file that "
        "fails to load leaves the database as it was. A backup with no leaderboard rows "
        "would leave the database empty: it asks first (--yes answers for scripts)."
    )

    def add_arguments(self, parser):
        parser.add_argument("backup", help="Path of a JSON file written by `manage.py backup`.")
        parser.add_argument(
            "--yes",
            action="store_true",
            help="Restore even a backup that holds no leaderboard rows, without asking.",
        )

    def handle(self, *args, backup, yes=False, **options):
        path = Path(backup)
        if not path.is_file():
            raise CommandError(f"No backup file at {backup}.")
        if not yes and not self.holds_leaderboard_rows(path):
            self.confirm_emptying(backup)
        with transaction.atomic():
            previous_version = DataVersion.current().version
            call_command("flush", interactive=False, verbosity=0)
            # The backup carries its history: the load writes none of its own.
            call_command("loaddata", backup, verbosity=0, record_history=False)
            writes.restored(previous_version)
        self.stdout.write(f"Restored {backup}")

    def holds_leaderboard_rows(self, path):
        try:
            rows = json.loads(path.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            return True  # not ours to judge: loaddata says what is wrong with it
        return any(
            isinstance(row, dict) and str(row.get("model", "")).startswith("leaderboard.")
            for row in (rows if isinstance(rows, list) else [])
        )

    def confirm_emptying(self, backup):
        message = f"{backup} holds no leaderboard rows: restoring it empties the leaderboard."
        if not self.stdin_is_interactive():
            raise CommandError(f"{message} Run again with --yes if that is what you want.")
        answer = input(f"{message} Type 'yes' to go on: ")
        if answer.strip().lower() != "yes":
            raise CommandError("Restore cancelled; nothing changed.")

    def stdin_is_interactive(self):
        return sys.stdin.isatty()
