"""Replace the database's contents with a backup, all or nothing."""

from pathlib import Path

from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from leaderboard import writes
from leaderboard.models import DataVersion


class Command(BaseCommand):
    help = (
        "Restore a file written by `manage.py backup`: empty the database and load the "
        "file in one transaction, so the result is exactly the backup, and a file that "
        "fails to load leaves the database as it was."
    )

    def add_arguments(self, parser):
        parser.add_argument("backup", help="Path of a JSON file written by `manage.py backup`.")

    def handle(self, *args, backup, **options):
        if not Path(backup).is_file():
            raise CommandError(f"No backup file at {backup}.")
        with transaction.atomic():
            previous_version = DataVersion.current().version
            call_command("flush", interactive=False, verbosity=0)
            call_command("loaddata", backup, verbosity=0)
            writes.restored(previous_version)
        self.stdout.write(f"Restored {backup}")
