"""Helpers the test modules share (fixtures live in conftest.py, rows in factories.py)."""

import socket
from datetime import datetime, timedelta

from django.apps import apps
from django.core.management.color import no_style
from django.db import connection, transaction
from django.db.models import F, Model
from django.utils import timezone

from leaderboard.models import DataVersion


def free_port():
    """A TCP port on 127.0.0.1 that nothing listens on, for a server a test starts."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


# Every kind of public page of the article's data, and an export.
PUBLIC_URLS = [
    "/",
    "/benchmarks/",
    "/benchmarks/ai-index/",
    "/models/nemotron-3-super/",
    "/organizations/nvidia/",
    "/sources/gate-nvidia-enters-the-ai-large-model-race/",
    "/?_export=csv",
]


def data_models():
    """The leaderboard's tables (history included), less the write counter every write
    bumps."""
    return [m for m in apps.get_app_config("leaderboard").get_models() if m is not DataVersion]


def snapshot():
    """Every row of every leaderboard table but the data version, as plain values in
    primary-key order: what a test compares before and after a write that should
    change nothing (``differences`` says what did)."""
    return {
        model._meta.label: list(model.objects.order_by("pk").values()) for model in data_models()
    }


def differences(before, after):
    """What differs between two snapshots: (table, row, {field: (before, after)})."""
    found = []
    for label in sorted(before.keys() | after.keys()):
        rows, now = before.get(label, []), after.get(label, [])
        if len(rows) != len(now):
            found.append((label, f"{len(rows)} rows before, {len(now)} after"))
            continue
        for row, other in zip(rows, now, strict=True):
            changed = {k: (v, other.get(k)) for k, v in row.items() if other.get(k) != v}
            if changed:
                found.append((label, row, changed))
    return found


# The inline formsets of an AI model's admin page.
AIMODEL_INLINES = ("aliases", "citations", "results")


def without_inlines(data, prefixes=AIMODEL_INLINES):
    """Admin form data posting no inline rows (each formset's management form empty)."""
    for prefix in prefixes:
        data.update({f"{prefix}-TOTAL_FORMS": "0", f"{prefix}-INITIAL_FORMS": "0"})
    return data


def change_form_data(admin_client, url, prefixes=AIMODEL_INLINES):
    """What the admin's change form at ``url`` posts as it stands, without its inline
    rows: a test changes a field of it and posts it back."""
    form = admin_client.get(url).context["adminform"].form
    return without_inlines({name: form[name].value() or "" for name in form.fields}, prefixes)


def stored_tables():
    """Every table Django manages, many-to-many tables included."""
    return [
        model
        for model in apps.get_models(include_auto_created=True)
        if model._meta.managed and not model._meta.proxy
    ]


def stored_rows(model):
    """A table's rows as {primary key: {attname: value}}."""
    names = [field.attname for field in model._meta.concrete_fields]
    return {row[model._meta.pk.attname]: row for row in model._base_manager.values(*names)}


class Written:
    """The rows ``build()`` wrote to a test database, each table's in key order, and
    what it returned (its saved rows as references), read once, in a transaction
    rolled back at once: ``write_back`` writes them again for each test that asks,
    far faster than building them again through the write path or ``loaddata``.
    Build one in a session-scoped fixture: pytest sets those up before a test's own
    fixtures, so the build starts from an empty database."""

    def __init__(self, build):
        with transaction.atomic():
            tables = stored_tables()
            before = {model: stored_rows(model) for model in tables}
            self.started = timezone.now()
            self.returned = as_references(build())
            self.finished = timezone.now()
            self.added = {}
            for model in tables:
                after = stored_rows(model)
                # Only additions can be written back: a build must not change or
                # delete a row that was there before it (in a new test database,
                # what migrations put there).
                kept = {pk: after.get(pk) for pk in before[model]}
                if kept != before[model]:
                    raise RuntimeError(f"{build!r} changed rows of {model._meta.label}")
                new = [row for pk, row in sorted(after.items()) if pk not in before[model]]
                if new:
                    self.added[model] = new
            transaction.set_rollback(True)

    def write_back(self):
        """Writes the rows again, primary keys and all, with the times the build
        set (a history row's date, the data version's) moved to now; returns what
        the build returned, its rows read afresh."""
        moved = timezone.now() - self.finished

        def now_for_then(value):
            if isinstance(value, datetime) and self.started <= value <= self.finished:
                return value + moved
            return value

        with transaction.atomic():
            for model, rows in self.added.items():
                model._base_manager.bulk_create(
                    model(**{name: now_for_then(value) for name, value in row.items()})
                    for row in rows
                )
            # As loaddata does: the next row a test saves gets the next free key.
            with connection.cursor() as cursor:
                for line in connection.ops.sequence_reset_sql(no_style(), list(self.added)):
                    cursor.execute(line)
        return from_references(self.returned)


class Reference:
    def __init__(self, instance):
        self.model, self.pk = type(instance), instance.pk


def as_references(value):
    if isinstance(value, Model):
        return Reference(value)
    if isinstance(value, dict):
        return {key: as_references(item) for key, item in value.items()}
    if isinstance(value, list | tuple):
        return type(value)(as_references(item) for item in value)
    return value


def from_references(value):
    if isinstance(value, Reference):
        return value.model._base_manager.get(pk=value.pk)
    if isinstance(value, dict):
        return {key: from_references(item) for key, item in value.items()}
    if isinstance(value, list | tuple):
        return type(value)(from_references(item) for item in value)
    return value


def moved_back(days=2):
    """Date every history row ``days`` earlier: what the tests wrote so far becomes
    how the data stood then (``?as_of=``), and what they write next happens today."""
    from leaderboard.reading import as_of

    for model in as_of.TRACKED:
        model.history.update(history_date=F("history_date") - timedelta(days=days))


def yesterday():
    """Yesterday as ``?as_of=`` writes it."""
    return (timezone.localdate() - timedelta(days=1)).isoformat()
