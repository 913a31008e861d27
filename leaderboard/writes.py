"""Every write to the leaderboard's data goes through here: the admin's forms, inlines
and bulk deletes, fixtures and ``loaddata``, ``restore``, and any import.

Two things must hold after every write, in the same transaction as the write itself:

- each model, benchmark and version has as its headline result the one the
  preference rule picks (``ResultQuerySet.PREFERENCE``), and only that one;
- the data version has moved on, so no cached page or ETag outlives the data it shows.

Plain ``Model.save()`` and ``QuerySet.update()`` do neither: call these instead.
"""

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import F, Q

from .models import AIModel, Benchmark, DataVersion, Result


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
        old_name = stored_name(instance)
        instance.save()
        if old_name and old_name != instance.name:
            instance.aliases.get_or_create(name=old_name)
            instance.__dict__.pop("names", None)
        if isinstance(instance, Result):
            groups.add((instance.model_id, instance.benchmark_id))
        changed(groups)


def delete(instance):
    """Delete one row (and what cascades from it); refused when a quote relies on it
    (an alias a result's quote names the model by)."""
    with transaction.atomic():
        refuse_deletion([instance])
        groups = stored_groups(instance)
        instance.delete()
        changed(groups)


def delete_all(queryset):
    """Delete every row of a queryset (the admin's "delete selected")."""
    with transaction.atomic():
        refuse_deletion(queryset)
        groups = set()
        if queryset.model is Result:
            groups = set(queryset.values_list("model_id", "benchmark_id").distinct())
        queryset.delete()
        changed(groups)


def loaded(model_ids=None):
    """After rows were written in bulk without ``save()`` (``loaddata``'s raw saves, a
    restore, a bulk import): refresh the headlines of the given models' results (all
    results when ``model_ids`` is None) and move the data version on."""
    with transaction.atomic():
        results = Result.objects.all()
        if model_ids is not None:
            results = results.filter(model_id__in=model_ids)
        results.mark_headlines()
        DataVersion.bump()


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


def stored_name(instance):
    """The stored name of a model or benchmark (what has aliases) about to be saved."""
    if not isinstance(instance, AIModel | Benchmark):
        return None
    return instance.stored("name").get("name")


def stored_groups(instance):
    """The (model, benchmark) pairs a stored result belongs to before a write: an
    editor who moves a result to another model or benchmark changes both groups."""
    if not isinstance(instance, Result) or instance.pk is None:
        return set()
    return set(Result.objects.filter(pk=instance.pk).values_list("model_id", "benchmark_id"))


def changed(groups):
    """Re-mark the headlines of the (model, benchmark) pairs a write touched, and move
    the data version on."""
    if groups:
        touched = Q()
        for model_id, benchmark_id in groups:
            touched |= Q(model_id=model_id, benchmark_id=benchmark_id)
        Result.objects.filter(touched).mark_headlines()
    DataVersion.bump()
