"""The data version: a counter every write moves on, which public pages are cached
and validated under."""

from datetime import UTC, datetime

from django.apps import apps
from django.db import connection, models
from django.db.models import F
from django.utils import timezone


class DataVersion(models.Model):
    """One row that counts writes to the leaderboard's data.

    Every save or delete of a leaderboard row (admin, fixtures, imports) bumps it in
    the same transaction, so public pages can be cached, and answered with 304 Not
    Modified, under the version they were built from, and never serve stale data.
    """

    version = models.PositiveBigIntegerField(default=0)
    changed_at = models.DateTimeField(default=timezone.now)
    # How many results and models there were at this version, counted when it moved
    # on (the summary says so): counting 3 million results took a cold page at 100,000
    # models 60 ms on PostgreSQL. None: not counted (a migration moved the version on).
    result_count = models.PositiveBigIntegerField(null=True, blank=True)
    model_count = models.PositiveBigIntegerField(null=True, blank=True)

    def __str__(self):
        return f"data version {self.version} ({self.changed_at:%Y-%m-%d %H:%M:%S})"

    @classmethod
    def current(cls):
        """The current version, or an unsaved version 0 before any write. Raw SQL:
        every public request asks, and the ORM's query building cost more than the
        query itself."""
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT version, changed_at, result_count, model_count "
                f"FROM {cls._meta.db_table} WHERE id = 1"
            )
            row = cursor.fetchone()
        if row is None:
            return cls(pk=1, version=0, changed_at=datetime(2000, 1, 1, tzinfo=UTC))
        version, changed_at, result_count, model_count = row
        return cls(
            pk=1,
            version=version,
            changed_at=stored_datetime(changed_at),
            result_count=result_count,
            model_count=model_count,
        )

    @classmethod
    def bump(cls):
        """Move the version on, and count the results and models it holds."""
        now = timezone.now()
        counts = cls.counted()
        if not cls.objects.filter(pk=1).update(version=F("version") + 1, changed_at=now, **counts):
            cls.objects.get_or_create(pk=1, defaults={"version": 1, "changed_at": now, **counts})

    @staticmethod
    def counted():
        """{"result_count": …, "model_count": …} as the data stands, in one query."""
        tables = [
            apps.get_model("leaderboard", name)._meta.db_table for name in ("Result", "AIModel")
        ]
        with connection.cursor() as cursor:
            cursor.execute(
                f"SELECT (SELECT COUNT(*) FROM {tables[0]}), (SELECT COUNT(*) FROM {tables[1]})"
            )
            results, models_ = cursor.fetchone()
        return {"result_count": results, "model_count": models_}


def stored_datetime(value):
    """A datetime column's value as raw SQL reads it, as an aware datetime: SQLite
    keeps datetimes as text in UTC, PostgreSQL hands over an aware datetime."""
    if isinstance(value, str):
        value = datetime.fromisoformat(value)
    if timezone.is_naive(value):
        value = value.replace(tzinfo=UTC)
    return value
