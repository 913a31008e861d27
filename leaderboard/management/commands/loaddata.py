"""Django's ``loaddata``, through the leaderboard's rules and its write path.

Every leaderboard row a fixture, a seed file or a backup brings in is checked by the
same rules as the admin's forms (``full_clean``: choices, URLs, the quote standing in
its source and stating its figure, and each model's ``clean()``, which mirrors its
constraints); one row that breaks a rule refuses the whole load, and the message
names the fixture, the row and the rule.

Rows are saved raw (no ``save()``), so after they are in, and in the same transaction,
headlines are recomputed for every model a fixture touched and the data version moves
on (``leaderboard.rules.writes.loaded``). A fixture's ``is_headline`` is never trusted: it is
derived data.

Raw saves write no history either: each result a fixture adds or changes gets the
history row a save would have written, dated when it was loaded, its reason naming
the fixture, so the changes page and feed show it. ``restore`` loads with
``--no-history``: a backup carries the history it had, and is restored exactly.
"""

from pathlib import Path

from django.core.exceptions import ValidationError
from django.core.management.base import CommandError
from django.core.management.commands import loaddata

from leaderboard.models import (
    AIModel,
    Benchmark,
    BenchmarkCitation,
    BenchmarkVersion,
    NaturalKeyModel,
    Result,
    Suite,
    SuiteMember,
)
from leaderboard.rules import writes

# Rows that every stored average of a suite may read (``rules.standings``).
AVERAGED_FROM = (AIModel, Benchmark, BenchmarkCitation, BenchmarkVersion, Suite, SuiteMember)


class Command(loaddata.Command):
    record_history = True  # --no-history turns it off

    def add_arguments(self, parser):
        super().add_arguments(parser)
        parser.add_argument(
            "--no-history",
            dest="record_history",
            action="store_false",
            help="Write no history rows for the results loaded (restore: a backup "
            "carries its own history).",
        )

    def handle(self, *fixture_labels, record_history=True, **options):
        self.record_history = record_history
        return super().handle(*fixture_labels, **options)

    def loaddata(self, fixture_labels):
        self.touched_models = set()
        # For each tracked model, its loaded rows' pk: the history reason naming the fixture.
        self.loaded_rows = {}
        self.touched_all = False
        self.suites_changed = False  # rows every suite's averages read were loaded
        self.unchecked = []  # rows with forward references, checked once all are in
        # Rows that checked rows point to, read once a load: a source's kept text
        # is read once, not once a quote.
        self.related = {}
        super().loaddata(fixture_labels)
        for label, number, row in self.unchecked:
            self.check_row(label, number, row)
        reasons = self.loaded_rows if self.record_history else None
        if self.touched_all:
            writes.loaded(history_reasons=reasons)
        elif self.loaded_object_count:
            writes.loaded(
                model_ids=self.touched_models,
                history_reasons=reasons,
                suites_changed=self.suites_changed,
            )

    def load_label(self, fixture_label):
        self.current_label, self.row_number = fixture_label, 0
        return super().load_label(fixture_label)

    def save_obj(self, obj):
        row = obj.object
        self.row_number += 1
        if isinstance(row, AVERAGED_FROM):
            self.suites_changed = True
        if isinstance(row, Result):
            row.is_headline = False
            self.touched_models.add(row.model_id)
            if row.pk is not None:
                # An existing result may have moved from another model.
                self.touched_all = True
        if isinstance(row, NaturalKeyModel):
            if obj.deferred_fields:
                self.unchecked.append((self.current_label, self.row_number, row))
            else:
                self.check_row(self.current_label, self.row_number, row)
        saved = super().save_obj(obj)
        if saved and self.record_history and hasattr(type(row), "history"):
            self.loaded_rows.setdefault(type(row), {})[row.pk] = (
                f"Loaded from fixture {Path(self.current_label).name}"
            )
        return saved

    def check_row(self, label, number, row):
        """The admin's rules, for a row that came in any other way."""
        # A row with a primary key (given, or found by its natural key) replaces the
        # stored one, as loaddata does: it does not collide with itself.
        row._state.adding = row.pk is None
        self.share_related(row)
        try:
            # Checks only a row read from a file can fail (a kept text's digest).
            loaded_errors = getattr(row, "loaded_errors", dict)()
            if loaded_errors:
                raise ValidationError(loaded_errors)
            # Each model's clean() mirrors its database constraints with a message;
            # the database still enforces them (and uniqueness) on the save that
            # follows. Asking the database per constraint and row as well made a
            # restore of 10,000 models take over ten minutes (six without).
            row.full_clean(validate_unique=False, validate_constraints=False)
        except ValidationError as error:
            rules = broken_rules(error)
            raise CommandError(
                f"{label}, row {number} ({row._meta.label} {describe(row)}) breaks a rule, "
                f"so nothing was loaded: {rules}"
            ) from None

    def share_related(self, row):
        for field in row._meta.concrete_fields:
            if not field.is_relation or field.name in row._state.fields_cache:
                continue
            key = (field.related_model, getattr(row, field.attname))
            if key[1] is None:
                continue
            if key not in self.related:
                self.related[key] = field.related_model._base_manager.filter(pk=key[1]).first()
            if self.related[key] is not None:
                setattr(row, field.name, self.related[key])


def describe(row):
    """A row as its natural key, or its primary key when that cannot be read."""
    try:
        return "/".join(str(part) for part in row.natural_key())
    except (ValueError, AttributeError):
        return f"pk={row.pk}"


def broken_rules(error):
    """A ValidationError as one line: "field: message; other: message"."""
    return "; ".join(
        f"{field}: {' '.join(messages)}" if field != "__all__" else " ".join(messages)
        for field, messages in error.message_dict.items()
    )
