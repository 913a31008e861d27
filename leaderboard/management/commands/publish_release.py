"""manage.py publish_release: publish the current data as the next data release
(``rules.releases.publish``), as the admin's "Add" does, without a web worker's
timeout: a release of 330,000 results takes most of a minute."""

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError

from leaderboard.rules import releases


class Command(BaseCommand):
    help = "Publish the current data as the next data release (/data/)."

    def add_arguments(self, parser):
        parser.add_argument("--notes", default="", help="What changed since the last release.")

    def handle(self, *args, notes, **options):
        try:
            release = releases.publish(notes=notes)
        except ValidationError as error:
            raise CommandError(" ".join(error.messages)) from error
        self.stdout.write(
            f"Published release {release.number}: {release.result_count} results, data "
            f"version {release.data_version}, results.json SHA-256 {release.json_sha256}"
        )
