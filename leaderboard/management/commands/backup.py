"""Write the whole database to one JSON file that `loaddata` restores."""

from django.core.management import call_command
from django.core.management.base import BaseCommand

# Rebuilt by `migrate` (content types, permissions), short-lived (sessions, login
# attempts), or recomputed on load (the data version): not part of a backup.
EXCLUDED = ["contenttypes", "auth.permission", "sessions", "axes", "leaderboard.dataversion"]


class Command(BaseCommand):
    help = (
        "Back up every table worth keeping (data, history, editors) to a JSON file. "
        "Primary keys are kept, so histories still point at their rows; foreign keys "
        "to content types and permissions use natural keys. Restore into a migrated "
        "database with `manage.py loaddata FILE`."
    )

    def add_arguments(self, parser):
        parser.add_argument("output", help="Path of the JSON file to write.")

    def handle(self, *args, output, **options):
        call_command(
            "dumpdata",
            format="backup",
            natural_foreign=True,
            exclude=EXCLUDED,
            indent=1,
            output=output,
            verbosity=0,
        )
        self.stdout.write(f"Backed up to {output}")
