"""Past days' copies of the data that ``?as_of=`` pages read (``reading.as_of``)."""

from django.db import models


class AsOfSnapshotQuerySet(models.QuerySet):
    def kept(self):
        """The copies whose tables exist: not dropped."""
        return self.filter(dropped_at__isnull=True)


class AsOfSnapshot(models.Model):
    """One past day's copy of every tracked table, rebuilt from the history rows:
    tables named ``asof_<key>_<table>``. The key digests the history up to the day's end
    (``day`` is the first day it was built for), so an edit made later leaves the copy
    valid and quiet days share one; the oldest copies are
    dropped once there are more than ``AS_OF_SNAPSHOTS_KEPT``. Not data: backups leave
    it out, and a copy lost with it is rebuilt on the next request."""

    key = models.CharField(max_length=16, unique=True)
    day = models.DateField()
    built_at = models.DateTimeField()
    # Set when its tables are dropped; the row stays, so builds can be counted.
    dropped_at = models.DateTimeField(null=True, blank=True)

    objects = AsOfSnapshotQuerySet.as_manager()

    class Meta:
        ordering = ["-built_at"]

    def __str__(self):
        return f"as of {self.day:%Y-%m-%d} ({self.key})"
