"""The leaderboard as it stood at the end of a past day: ``?as_of=YYYY-MM-DD`` on the
public pages that show data, and on the API.

django-simple-history keeps a row for every save and delete of every table a page
reads (``TRACKED``). A past day's copy of those tables is rebuilt from them once
(``build``): each row as its latest history row before the day ended, unless that
row records a deletion. The two marks writes derive (which results are comparable,
which is a headline: ``writes.DERIVED``) are re-marked by updates that write no
history, so the copy does not take them from history: the same rules
(``writes.marked_comparable``, ``mark_headlines``) derive them again on the copy.

A page reads the copy through the very code that reads today's data (``reading``):
for the request, the copy's tables answer to the live tables' names. PostgreSQL keeps
the copy in a schema of its own and puts it first in the search path; SQLite keeps it
in tables named ``asof_<key>_<table>`` and shadows the live names with temporary views
(SQLite looks names up among temporary objects first). Either way every query, ORM
or raw, reads the past, and the connection is put back however the page ends.

A copy's key digests the history rows dated before the day's end and the code
release, so an edit made later leaves it valid, days with no edit between them share
it, and a history rewritten (a restore) or new rules make a new one. Rows that never
had a history row are in no copy: migration 0025 gave every row stored before then
its "+" row, and ``loaddata`` and ``make_demo_data`` write one for every row they add.
"""

import hashlib
import re
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from django.conf import settings
from django.db import connection, transaction
from django.utils import timezone

from ..models import (
    AIModel,
    AsOfSnapshot,
    Benchmark,
    BenchmarkAlias,
    BenchmarkCitation,
    BenchmarkVersion,
    DataVersion,
    ModelAlias,
    ModelCitation,
    Organization,
    Result,
    Source,
    Suite,
    SuiteMember,
)
from ..models.data_version import stored_datetime
from ..rules import writes
from ..rules.limits import seconds_until_under

# Every table a public page reads data from; each has its history.
TRACKED = (
    Organization,
    AIModel,
    ModelAlias,
    Benchmark,
    BenchmarkVersion,
    BenchmarkAlias,
    Source,
    ModelCitation,
    BenchmarkCitation,
    Result,
    Suite,
    SuiteMember,
)
DAY = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}\Z")
# SQLite's own statements for a table and its indexes, rewritten for the copy.
REFERENCES = re.compile(r' REFERENCES "[^"]+" \("[^"]+"\)( DEFERRABLE INITIALLY DEFERRED)?')
INDEX_HEAD = re.compile(r'^CREATE (UNIQUE )?INDEX "[^"]+" ON "[^"]+"')


class Refused(ValueError):
    """An ``as_of`` the site cannot show; the message says why and what to write."""


class Busy(Exception):
    """A copy would be built, but ``AS_OF_BUILDS_PER_HOUR`` were built in the last
    hour: building one costs seconds of a worker, and days asked for one after another
    must not take the site's workers. ``seconds``: until the next may be built."""

    def __init__(self, seconds):
        super().__init__(
            "as_of: the site has copied as many past days as it may this hour. "
            f"Try this day again in {-(-seconds // 60)} minutes."
        )
        self.seconds = seconds


@dataclass(frozen=True)
class Snapshot:
    """A past day as the pages show it: the day, its copy's key, and when the data
    last changed before the day ended (None: nothing had been recorded yet)."""

    day: date
    key: str
    changed_at: datetime | None

    @property
    def data_version(self):
        """What the page cache, the parts cache and the ETag key the page under: the
        copy, never today's data version (``caching.public_page``)."""
        return DataVersion(pk=1, version=f"asof-{self.key}", changed_at=day_end(self.day))


def requested_day(query, today=None):
    """The day ``?as_of=`` asks for, None when it asks for none (absent or empty);
    ``Refused`` for a value that is not a day that has ended."""
    values = [value for value in query.getlist("as_of") if value.strip()]
    if not values:
        return None
    if len(values) > 1:
        raise Refused(f"as_of: give one day, not {len(values)}.")
    value = values[0]
    shown = repr(value if len(value) <= 40 else value[:40] + "…")
    if not DAY.match(value):
        raise Refused(f"as_of {shown}: not a day. Write it as YYYY-MM-DD, as in 2026-03-11.")
    try:
        day = date.fromisoformat(value)
    except ValueError:
        raise Refused(f"as_of {shown}: no such day in the calendar.") from None
    today = today or timezone.localdate()
    if day >= today:
        raise Refused(
            f"as_of {shown}: that day has not ended yet. Without as_of the page shows "
            "the leaderboard as it stands now."
        )
    return day


def today_url(request):
    """The requested page's address without ``as_of``: the page as it stands now."""
    query = request.GET.copy()
    query.pop("as_of", None)
    query = query.urlencode()
    return request.path + (f"?{query}" if query else "")


def day_end(day):
    """The moment ``day`` ended, in the site's time zone."""
    return timezone.make_aware(datetime.combine(day + timedelta(days=1), time.min))


def snapshot(day, remember=None, release="", limited=True):
    """The copy of ``day``, built now if it does not exist yet. ``remember(compute)``
    may keep what the history holds (``history_state``) until the data changes;
    ``release`` names the running code, whose rules derive the copy's marks;
    ``limited``: a request's build counts against ``AS_OF_BUILDS_PER_HOUR``
    (``Busy``), ``manage.py build_as_of``'s does not."""
    end = day_end(day)
    state, changed_at = (remember or (lambda compute: compute()))(lambda: history_state(end))
    # Not the day: days with no edit between them share one copy, so asking for every
    # day of a quiet year builds one.
    key = hashlib.sha256(f"{state}|{release}".encode()).hexdigest()[:16]
    past = Snapshot(day=day, key=key, changed_at=changed_at)
    if not AsOfSnapshot.objects.kept().filter(key=key).exists():
        if limited:
            refuse_when_busy()
        build(past)
    return past


def refuse_when_busy(now=None):
    """``Busy`` when ``AS_OF_BUILDS_PER_HOUR`` copies were built in the last hour."""
    now = now or timezone.now()
    hour = timedelta(hours=1)
    wait = seconds_until_under(
        AsOfSnapshot.objects.filter(built_at__gte=now - hour)
        .order_by("-built_at")
        .values_list("built_at", flat=True),
        settings.AS_OF_BUILDS_PER_HOUR,
        hour,
        now,
    )
    if wait:
        raise Busy(wait)


def history_state(end):
    """What the history before ``end`` holds, as text a key can digest (each tracked
    table's count of history rows, last history id and last date), and the last date."""
    end_value = connection.ops.adapt_datetimefield_value(end)
    # Numbered, and ordered by the number: a UNION's rows come in no promised order.
    selects = [
        f"SELECT {number} AS n, COUNT(*), MAX(history_id), MAX(history_date) FROM "
        f"{quoted(model.history.model._meta.db_table)} WHERE history_date < %s"
        for number, model in enumerate(TRACKED)
    ]
    with connection.cursor() as cursor:
        cursor.execute(" UNION ALL ".join(selects) + " ORDER BY n", [end_value] * len(selects))
        rows = [row[1:] for row in cursor.fetchall()]
    dates = [stored_datetime(last) for _, _, last in rows if last is not None]
    state = ";".join(
        f"{count},{last_id},{stored_datetime(last) if last else ''}"
        for count, last_id, last in rows
    )
    return state, max(dates, default=None)


def quoted(name):
    return connection.ops.quote_name(name)


def columns(model):
    return ", ".join(quoted(field.column) for field in model._meta.concrete_fields)


def rows_as_of(model):
    """A SELECT of ``model``'s rows as they stood before the end parameter (``%s``):
    each row's newest history row, unless it records the row's deletion. Results come
    unmarked as headlines: history's marks may be stale, and two marked in one group
    would break the copy's one-headline index before ``derive_marks`` ran."""
    pk = quoted(model._meta.pk.column)
    history = quoted(model.history.model._meta.db_table)
    outer = ", ".join(
        "FALSE AS is_headline" if field.attname == "is_headline" else quoted(field.column)
        for field in model._meta.concrete_fields
    )
    return (
        f"SELECT {outer} FROM (SELECT {columns(model)}, history_type, "
        f"ROW_NUMBER() OVER (PARTITION BY {pk} ORDER BY history_date DESC, history_id DESC) "
        f"AS newest FROM {history} WHERE history_date < %s) AS latest "
        "WHERE newest = 1 AND history_type <> '-'"
    )


def is_postgresql():
    return connection.vendor == "postgresql"


def copy_name(key, model):
    """The copy's table for ``model``: in the copy's schema on PostgreSQL, beside the
    live table on SQLite."""
    table = model._meta.db_table
    return f"asof_{key}.{quoted(table)}" if is_postgresql() else quoted(f"asof_{key}_{table}")


def build(past):
    """Write the copy of ``past.day``: every tracked table as it stood, the derived
    marks derived again, then registered. One transaction: a copy is whole or absent.
    Older copies beyond ``AS_OF_SNAPSHOTS_KEPT`` are dropped."""
    end = connection.ops.adapt_datetimefield_value(day_end(past.day))
    with transaction.atomic(), connection.cursor() as cursor:
        if is_postgresql():  # SQLite's writers already queue (IMMEDIATE transactions)
            cursor.execute("SELECT pg_advisory_xact_lock(hashtext(%s))", [past.key])
        if AsOfSnapshot.objects.kept().filter(key=past.key).exists():
            return  # another request built it while this one waited
        drop_copy(cursor, past.key)
        if is_postgresql():
            cursor.execute(f"CREATE SCHEMA asof_{past.key}")
        for model in TRACKED:
            create_table_like(cursor, model, copy_name(past.key, model))
            if model is not Result or is_postgresql():
                cursor.execute(
                    f"INSERT INTO {copy_name(past.key, model)} ({columns(model)}) "
                    + rows_as_of(model),
                    [end],
                )
        derive_marks(cursor, past, end)
        now = timezone.now()
        AsOfSnapshot.objects.update_or_create(
            key=past.key, defaults={"day": past.day, "built_at": now, "dropped_at": None}
        )
        kept = AsOfSnapshot.objects.kept().order_by("-built_at")
        for stale in kept[settings.AS_OF_SNAPSHOTS_KEPT :]:
            drop_copy(cursor, stale.key)
            AsOfSnapshot.objects.filter(pk=stale.pk).update(dropped_at=now)


def create_table_like(cursor, model, copy):
    """An empty table ``copy`` with the live table's columns, checks and indexes (the
    pages' queries plan as they do on the live table), and no foreign keys: a past
    row may point at a row deleted since."""
    live = model._meta.db_table
    if is_postgresql():
        cursor.execute(f"CREATE TABLE {copy} (LIKE {quoted(live)} INCLUDING ALL)")
        return
    cursor.execute(
        "SELECT type, sql FROM sqlite_master WHERE tbl_name = %s AND sql IS NOT NULL "
        "ORDER BY type DESC, name",  # the table before its indexes
        [live],
    )
    for number, (kind, sql) in enumerate(cursor.fetchall()):
        if kind == "table":
            sql = REFERENCES.sub("", sql.replace(quoted(live), copy, 1))
        else:
            name = quoted(f"{copy.strip(chr(34))}_{number}")
            sql = INDEX_HEAD.sub(
                lambda head, name=name: f"CREATE {head[1] or ''}INDEX {name} ON {copy}", sql
            )
        cursor.execute(sql)


def derive_marks(cursor, past, end):
    """Mark the copy's comparable and headline results by the rules writes use, run
    with the copy's tables under the live names. On SQLite the results are marked in a
    temporary table (a view cannot be updated), then copied in."""
    results = quoted(Result._meta.db_table)
    with names_pointing_at(past.key, keep_live=() if is_postgresql() else (Result,)):
        if not is_postgresql():
            cursor.execute(f"CREATE TEMPORARY TABLE {results} AS {rows_as_of(Result)}", [end])
            cursor.execute(f"CREATE INDEX temp.asof_marking ON {results} (benchmark_id, id)")
        try:
            writes.marked_comparable(Result.objects.all())
            Result.objects.all().mark_headlines()
            if not is_postgresql():
                cursor.execute(
                    f"INSERT INTO {copy_name(past.key, Result)} ({columns(Result)}) "
                    f"SELECT {columns(Result)} FROM temp.{results}"
                )
        finally:
            if not is_postgresql():
                cursor.execute(f"DROP TABLE IF EXISTS temp.{results}")


def drop_copy(cursor, key):
    if is_postgresql():
        cursor.execute(f"DROP SCHEMA IF EXISTS asof_{key} CASCADE")
        return
    for model in TRACKED:
        cursor.execute(f"DROP TABLE IF EXISTS {copy_name(key, model)}")


@contextmanager
def names_pointing_at(key, keep_live=()):
    """Within the block, the tracked tables' names (but ``keep_live``'s) read the copy
    ``key``. Put back on the way out, whatever happened; a connection that cannot be
    put back is closed, which drops what was set on it."""
    previous = None
    with connection.cursor() as cursor:
        try:
            if is_postgresql():
                cursor.execute("SHOW search_path")
                (previous,) = cursor.fetchone()
                cursor.execute(f"SET search_path TO asof_{key}, {previous}")
            else:
                for model in TRACKED:
                    if model not in keep_live:
                        cursor.execute(
                            f"CREATE TEMPORARY VIEW {quoted(model._meta.db_table)} AS "
                            f"SELECT * FROM {copy_name(key, model)}"
                        )
            yield
        finally:
            try:
                if previous is not None:
                    cursor.execute(f"SET search_path TO {previous}")
                else:
                    for model in TRACKED:
                        cursor.execute(f"DROP VIEW IF EXISTS temp.{quoted(model._meta.db_table)}")
            except Exception:
                connection.close()
                raise


@contextmanager
def reading(past):
    """Within the block, every query reads ``past``'s copy (None: today's data)."""
    if past is None:
        yield
        return
    with names_pointing_at(past.key):
        yield


def streamed(past, chunks):
    """A streamed response's chunks (an export), each made while reading ``past``."""
    with reading(past):
        yield from chunks
