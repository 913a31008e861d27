"""Copy the data as it stood at the end of a day, for ``?as_of=`` pages, outside any
request: at scale a copy takes longer than a worker may wait, and requests build at
most ``AS_OF_BUILDS_PER_HOUR`` an hour."""

import time

from django.core.management.base import BaseCommand, CommandError
from django.http import QueryDict

from leaderboard.reading import as_of
from leaderboard.web.caching import RELEASE


class Command(BaseCommand):
    help = "Build the copy ?as_of=YYYY-MM-DD pages read (reading.as_of), unless it exists."

    def add_arguments(self, parser):
        parser.add_argument("day", help="The day, YYYY-MM-DD; one that has ended.")

    def handle(self, *args, day, **options):
        try:
            asked = as_of.requested_day(QueryDict(mutable=True, query_string=f"as_of={day}"))
        except as_of.Refused as refusal:
            raise CommandError(str(refusal)) from None
        if asked is None:
            raise CommandError("Give the day, YYYY-MM-DD.")
        started = time.monotonic()
        past = as_of.snapshot(asked, release=RELEASE, limited=False)
        self.stdout.write(
            f"The copy of {asked} ({past.key}) is ready ({time.monotonic() - started:.1f} s)."
        )
