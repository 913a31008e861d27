"""Load the project's fixtures on first set-up, without undoing editors' work later."""

import json

from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError

from leaderboard.models import Source


class Command(BaseCommand):
    help = (
        "Load each fixture in fixtures/ whose sources are not in the database yet. "
        "A fixture already loaded is skipped, so restarting the site never overwrites "
        "an editor's correction; --force loads every fixture again (rows are matched "
        "by natural key and updated in place, never duplicated)."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--force", action="store_true", help="Load even fixtures already loaded."
        )

    def handle(self, *args, force=False, **options):
        fixture_paths = sorted(
            path for directory in settings.FIXTURE_DIRS for path in directory.glob("*.json")
        )
        for path in fixture_paths:
            try:
                objects = json.loads(path.read_text(encoding="utf-8"))
                slugs = {
                    obj["fields"]["slug"]
                    for obj in objects
                    if obj["model"] == "leaderboard.source"
                }
            except (ValueError, KeyError, TypeError) as error:
                raise CommandError(f"{path.name} is not a valid fixture: {error}") from error
            loaded = Source.objects.filter(slug__in=slugs).count() == len(slugs)
            if loaded and slugs and not force:
                self.stdout.write(f"{path.name}: already loaded, skipped (use --force to reload).")
                continue
            call_command("loaddata", str(path), verbosity=options["verbosity"])
