"""Data releases: a snapshot of every result, published by an editor under a number,
with the SHA-256 of each file so a download can be checked and cited."""

from django.conf import settings
from django.db import models
from django.urls import reverse

from .base import NaturalKeyModel, ProseField

# The files of a release, by kind: (file name, content type).
RELEASE_FILES = {
    "csv": ("results.csv", "text/csv; charset=utf-8"),
    "json": ("results.json", "application/json"),
}


class DataRelease(NaturalKeyModel):
    """A published snapshot of the leaderboard's data (``rules.releases.publish``):
    its files are written once and never change, so the same release downloads as
    the same bytes; each data version is released at most once."""

    NATURAL_KEY = ("number",)

    number = models.PositiveIntegerField(unique=True)
    data_version = models.PositiveBigIntegerField(
        unique=True, help_text="The data version the snapshot was taken at."
    )
    published_at = models.DateTimeField()
    notes = ProseField(blank=True, help_text="What changed since the last release.")
    result_count = models.PositiveIntegerField()
    csv_sha256 = models.CharField("SHA-256 of the CSV", max_length=64)
    json_sha256 = models.CharField("SHA-256 of the JSON", max_length=64)
    csv_bytes = models.PositiveBigIntegerField()
    json_bytes = models.PositiveBigIntegerField()

    class Meta:
        ordering = ["-number"]

    def __str__(self):
        return f"Release {self.number} ({self.published_at:%Y-%m-%d})"

    def get_absolute_url(self):
        return reverse("data_release", args=[self.number])

    def path(self, kind):
        """Where the release's file of ``kind`` ("csv", "json") is kept."""
        return settings.DATA_RELEASES_DIR / str(self.number) / RELEASE_FILES[kind][0]

    def sha256(self, kind):
        return getattr(self, f"{kind}_sha256")

    def size(self, kind):
        return getattr(self, f"{kind}_bytes")
