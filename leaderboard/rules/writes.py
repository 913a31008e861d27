"""Every write to the leaderboard's data goes through here: the admin's forms, inlines
and bulk deletes, fixtures and ``loaddata``, ``restore``, and any import.

Two things must hold after every write, in the same transaction as the write itself:

- each model, benchmark and version has as its headline result the one the
  preference rule picks (``ResultQuerySet.PREFERENCE``), and only that one;
- the data version has moved on, so no cached page or ETag outlives the data it shows.

Plain ``Model.save()`` and ``QuerySet.update()`` do neither: call these instead.
"""

from django.core.exceptions import ValidationError
from django.db import connection, transaction
from django.db.models import F
from django.utils import timezone

from ..models import AIModel, Benchmark, DataVersion, Result
from . import run_settings, standings
from .quotes import quote_anchor


def save(instance, validated=False):
    """Save one row of any leaderboard model, after checking it against every rule
    (``full_clean``; ``validated`` when the caller, an admin form, just did). Renaming
    a model or a benchmark keeps its old name as an alias, so the quotes that use it
    still name it."""
    if isinstance(instance, Result):
        # Derived: an instance moved to another group, or reverted from its history,
        # must not arrive there as a second headline.
        instance.is_headline = False
    if not validated:
        instance.full_clean()
    with transaction.atomic():
        groups = stored_groups(instance)
        suites = stored_suites(instance)  # a member moved: the suite it left
        old_name = stored_name(instance)
        if isinstance(instance, Result):
            instance.is_comparable = run_settings.is_comparable(instance, instance.benchmark)
        instance.save()
        if isinstance(instance, Benchmark):
            # Its ranked setting may have changed: which of its results are ranked.
            groups |= marked_comparable(Result.objects.filter(benchmark=instance))
        if old_name and old_name != instance.name:
            instance.aliases.get_or_create(name=old_name)
            instance.__dict__.pop("names", None)
            if isinstance(instance, AIModel):
                standings.renamed(instance)
        if isinstance(instance, Result):
            groups.add((instance.model_id, instance.benchmark_id))
        changed(groups, suites | stored_suites(instance))


def delete(instance):
    """Delete one row (and what cascades from it); refused when a quote relies on it
    (an alias a result's quote names the model by)."""
    with transaction.atomic():
        refuse_deletion([instance])
        groups = stored_groups(instance)
        suites = stored_suites(instance)
        instance.delete()
        changed(groups, suites)


def delete_all(queryset):
    """Delete every row of a queryset (the admin's "delete selected")."""
    with transaction.atomic():
        refuse_deletion(queryset)
        groups = set()
        if queryset.model is Result:
            groups = set(queryset.values_list("model_id", "benchmark_id").distinct())
        suites = standings.suites_touched(queryset)
        queryset.delete()
        changed(groups, suites)


def loaded(model_ids=None, history_reasons=None, benchmark_ids=None, suites_changed=False):
    """After rows were written in bulk without ``save()`` (``loaddata``'s raw saves, a
    restore, a bulk import): refresh the headlines of the given models' results (all
    results when ``model_ids`` is None) and their suites' averages (every average
    when ``suites_changed``: a suite, a member or a benchmark's fact was loaded), and
    move the data version on.

    ``history_reasons`` maps each model to the primary keys of its rows a fixture
    loaded and the reason to record (the fixture's name): raw saves write no history,
    so each gets the history row a save would have written (``record_loaded_history``). A restore
    passes none: its backup carries the history it had."""
    with transaction.atomic():
        results = Result.objects.all()
        if model_ids is not None:
            results = results.filter(model_id__in=model_ids)
        # Only results written on ``benchmark_ids`` (a bulk import's) can have changed
        # whether they are comparable: every other write keeps the mark.
        written = (
            results if benchmark_ids is None else results.filter(benchmark_id__in=benchmark_ids)
        )
        anchored(written)
        if model_ids is None:  # a restore, or a load of everything: history came too
            anchored(Result.history.all())
        marked_comparable(written)
        results.mark_headlines()
        standings.refresh(model_ids=None if suites_changed else model_ids)
        if history_reasons:
            record_loaded_history(history_reasons)
        DataVersion.bump()


# A result's fields that writes derive: never compared as an editor's change.
DERIVED = ("is_headline", "is_comparable")
# Rows read at a time when recording loaded results' history.
HISTORY_BATCH = 500
# Models whose headlines on one benchmark are re-marked in one pair of updates.
GROUPS_A_QUERY = 500


def record_loaded_history(reasons):
    """Record what a load did, as a save would have: for each model in ``reasons``
    ({model: {pk: reason}}), "+" (added) for a row with no history yet, "~" (changed)
    for one whose stored fields differ from its latest history row (a fixture loaded
    again over an editor's correction), and nothing for one that matches it (a
    fixture loaded twice). Each row is dated now, names no editor, and gives
    ``reasons[model][pk]`` as its change reason. ``DERIVED`` fields (re-marked by
    updates that write no history) are not compared."""
    for model, rows in reasons.items():
        historical = model.history.model
        fields = [
            field.attname
            for field in historical.tracked_fields
            if field.attname not in (model._meta.pk.attname, *DERIVED)
        ]
        reason_length = historical._meta.get_field("history_change_reason").max_length
        pks = sorted(rows)
        added, changed_rows = [], []
        for start in range(0, len(pks), HISTORY_BATCH):
            batch = pks[start : start + HISTORY_BATCH]
            latest = {}
            for record in historical.objects.filter(id__in=batch).order_by(
                "id", "-history_date", "-history_id"
            ):
                latest.setdefault(record.id, record)
            for row in model.objects.filter(pk__in=batch).order_by("pk"):
                record = latest.get(row.pk)
                if record is not None and all(
                    getattr(record, name) == getattr(row, name) for name in fields
                ):
                    continue
                row._change_reason = rows[row.pk][:reason_length]
                (added if record is None else changed_rows).append(row)
        if added:
            model.history.bulk_history_create(added, batch_size=HISTORY_BATCH)
        if changed_rows:
            model.history.bulk_history_create(changed_rows, batch_size=HISTORY_BATCH, update=True)


def record_missing_history(pairs, reason, when=None):
    """Give every row without any history row the "+" row a save would have written:
    its fields as they stand, dated ``when`` (now), naming no editor, ``reason`` as
    its change reason. ``pairs`` are (model, its historical model): a migration passes
    its own. One INSERT … SELECT a table, as ``make_demo_data`` adds millions of rows.
    Returns how many rows were written. Pages as they stood on a past day
    (``reading.as_of``) are rebuilt from history: a row with none is in no past."""
    written = 0
    with connection.cursor() as cursor:
        for model, historical in pairs:
            quote = connection.ops.quote_name
            columns = ", ".join(quote(field.column) for field in model._meta.concrete_fields)
            pk = quote(model._meta.pk.column)
            length = historical._meta.get_field("history_change_reason").max_length
            cursor.execute(
                f"INSERT INTO {quote(historical._meta.db_table)} ({columns}, history_date, "
                "history_type, history_change_reason, history_user_id) "
                f"SELECT {columns}, %s, '+', %s, NULL FROM {quote(model._meta.db_table)} live "
                f"WHERE NOT EXISTS (SELECT 1 FROM {quote(historical._meta.db_table)} h "
                f"WHERE h.{pk} = live.{pk})",
                [
                    connection.ops.adapt_datetimefield_value(when or timezone.now()),
                    reason[:length],
                ],
            )
            written += max(cursor.rowcount, 0)
    return written


def restored(previous_version):
    """After a restore emptied the database (the data version row with it) and
    loaded a backup: carry the data version on from where it was, so it only ever
    grows."""
    DataVersion.bump()  # also when the backup held no rows and nothing was loaded
    DataVersion.objects.filter(pk=1).update(version=F("version") + previous_version)


def deletion_conflicts(rows):
    """What deleting these rows (a list or a queryset of one model) would break: lines
    naming each result whose quote relies on one of them. Only aliases have such
    dependents; other rows are not read for it."""
    model = getattr(rows, "model", None) or (type(rows[0]) if rows else None)
    if not hasattr(model, "deletion_conflicts"):
        return []
    return [f"{row}: {conflict}" for row in rows for conflict in row.deletion_conflicts()]


def refuse_deletion(rows):
    conflicts = deletion_conflicts(rows)
    if conflicts:
        raise ValidationError(f"Deleting would break what depends on it: {'; '.join(conflicts)}")


def anchored(results):
    """Give each of ``results`` (results, or their history rows) whose stored
    ``quote_anchor`` is not its quote's the quote's: rows written without ``save()``
    (a fixture, a backup made before the anchor was kept, or one edited by hand)
    arrive without it or with another."""
    model, wrong = results.model, []
    rows = results.values_list("pk", "quote", "quote_anchor").order_by()
    for pk, quote, stored in rows.iterator(chunk_size=5000):
        anchor = quote_anchor(quote)
        if stored != anchor:
            wrong.append(model(pk=pk, quote_anchor=anchor))
    model._default_manager.bulk_update(wrong, ["quote_anchor"], batch_size=1000)


def marked_comparable(results):
    """Mark which of ``results`` are comparable (measured as their benchmark ranks:
    ``run_settings.comparable_q``, one benchmark at a time) and return the (model,
    benchmark) groups whose marks changed, whose headlines must be re-marked."""
    touched = set()
    for benchmark in Benchmark.objects.filter(pk__in=results.values("benchmark_id")):
        mine = results.filter(benchmark=benchmark)
        comparable = run_settings.comparable_q(benchmark)
        for rows, mark in (
            (mine.filter(is_comparable=True).exclude(comparable), False),
            (mine.filter(comparable, is_comparable=False), True),
        ):
            touched |= set(rows.values_list("model_id", "benchmark_id").distinct())
            rows.update(is_comparable=mark)
    return touched


def stored_name(instance):
    """The stored name of a model or benchmark (what has aliases) about to be saved."""
    if not isinstance(instance, AIModel | Benchmark):
        return None
    return instance.stored("name").get("name")


def stored_suites(instance):
    """The suites whose every average a write of ``instance`` may change, as it is
    stored (``standings.suites_touched``)."""
    if instance.pk is None or isinstance(instance, Result | AIModel):
        return set()
    return standings.suites_touched(type(instance)._default_manager.filter(pk=instance.pk))


def stored_groups(instance):
    """The (model, benchmark) pairs a stored result belongs to before a write: an
    editor who moves a result to another model or benchmark changes both groups."""
    if not isinstance(instance, Result) or instance.pk is None:
        return set()
    return set(Result.objects.filter(pk=instance.pk).values_list("model_id", "benchmark_id"))


def changed(groups, suites=frozenset()):
    """Re-mark the headlines of the (model, benchmark) pairs a write touched and the
    averages they enter, recompute every average of ``suites``, and move the data
    version on."""
    averaging = standings.suites_averaging({b for _, b in groups}) - set(suites)
    # Every suite this write recomputes, held at once: taken one call at a time, two
    # writes could each hold one and wait for the other's.
    standings.lock(averaging | set(suites))
    if groups:
        # A benchmark's models a batch at a time: one condition for each group took
        # SQLite past its expression depth (1,000) where a write touched more groups
        # (a "delete selected" of many results, a benchmark's ranked setting changed).
        by_benchmark = {}
        for model_id, benchmark_id in groups:
            by_benchmark.setdefault(benchmark_id, []).append(model_id)
        for benchmark_id, model_ids in by_benchmark.items():
            model_ids.sort()
            for start in range(0, len(model_ids), GROUPS_A_QUERY):
                Result.objects.filter(
                    benchmark_id=benchmark_id,
                    model_id__in=model_ids[start : start + GROUPS_A_QUERY],
                ).mark_headlines()
        if averaging:
            standings.refresh(averaging, model_ids={m for m, _ in groups})
    if suites:
        standings.refresh(suites)
    DataVersion.bump()
