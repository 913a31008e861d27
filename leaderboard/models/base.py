"""What every leaderboard table shares: natural keys, so fixtures and backups name rows
by slugs and never by primary keys, and loading one twice changes nothing."""

import re
from decimal import Decimal
from functools import cached_property

from django import forms
from django.core.exceptions import ObjectDoesNotExist, ValidationError
from django.core.validators import ProhibitNullCharactersValidator
from django.db import models
from django.utils.functional import lazy

from ..rules.text_rules import TextRule

# How many conflicting rows a refusal lists by name.
CONFLICTS_LISTED = 3


def _rule_label(field):
    return str(field.rule_label or field.verbose_name)


# A field's label, read when a message is written. Made lazy once: each ``lazy()``
# builds a class, and migrations build thousands of fields (a second a test run).
rule_label = lazy(_rule_label, str)


class RuledTextField:
    """A text field that refuses control characters (``leaderboard.rules.text_rules``):
    its ``TextRule`` is one of the model field's validators, so ``full_clean`` runs it
    wherever a row comes in (the admin, ``loaddata``, ``restore``, imports,
    ``leaderboard.rules.writes.save``), and its form field runs the same rule in place of
    Django's "Null characters are not allowed.", so a pasted NUL and an uploaded one
    get the same message. The message names the field by its verbose name, or by
    ``rule_label`` where that does not read as a noun ("what it measures")."""

    line_breaks = False  # True keeps tab, newline and carriage return
    bidi = False  # True keeps the bidirectional controls

    def __init__(self, *args, rule_label=None, **kwargs):
        self.rule_label = rule_label
        super().__init__(*args, **kwargs)

    def deconstruct(self):
        name, path, args, kwargs = super().deconstruct()
        if self.rule_label:
            kwargs["rule_label"] = self.rule_label
        return name, path, args, kwargs

    @cached_property
    def text_rule(self):
        # Built when CharField's __init__ first reads the validators, before the
        # field has its name: the label is read when a message is written.
        return TextRule(rule_label(self), line_breaks=self.line_breaks, bidi=self.bidi)

    @cached_property
    def validators(self):
        return [*super().validators, self.text_rule]

    def formfield(self, **kwargs):
        field = super().formfield(**kwargs)
        field.validators = [
            self.text_rule,
            *(v for v in field.validators if not isinstance(v, ProhibitNullCharactersValidator)),
        ]
        return field


class LineField(RuledTextField, models.CharField):
    """One line of text: a name, a title, a label. Refuses every control character
    and the bidirectional controls, which would reorder the sentence the line
    stands in."""


class ProseField(RuledTextField, models.TextField):
    """Text of several lines: a description, a quote, a source's text. Keeps tab,
    newline and carriage return, and bidirectional controls (a right-to-left text
    may need them; its paragraph ends their scope); refuses every other control
    character."""

    line_breaks = True
    bidi = True


class HttpsURLField(RuledTextField, models.URLField):
    """A URL field whose form assumes https:// when an editor leaves the scheme out;
    one line, like ``LineField``."""

    def formfield(self, **kwargs):
        return super().formfield(**{"assume_scheme": "https", **kwargs})


class CountFormField(forms.IntegerField):
    """A count typed as people write it: "128000000000", "128,000,000,000", "128B",
    "1M", "1.5 million"."""

    SUFFIXES = {"k": 10**3, "m": 10**6, "b": 10**9, "t": 10**12}
    WORDS = {"thousand": "k", "million": "m", "billion": "b", "trillion": "t"}
    PATTERN = re.compile(r"^(\d+(?:\.\d+)?)\s*([kmbt])?$", re.IGNORECASE)

    default_error_messages = {
        "invalid": "Enter a whole number, or one with K, M, B or T after it "
        "(235B for 235 billion, 1M for 1 million)."
    }

    def to_python(self, value):
        if isinstance(value, str):
            text = value.strip().lower().replace(",", "").replace("_", "")
            for word, suffix in self.WORDS.items():
                text = text.replace(word, suffix)
            match = self.PATTERN.match(text.replace(" ", ""))
            if match:
                number, suffix = match.groups()
                scaled = Decimal(number) * self.SUFFIXES.get(suffix or "", 1)
                if scaled != scaled.to_integral_value():
                    raise ValidationError(self.error_messages["invalid"], code="invalid")
                value = str(int(scaled))
        return super().to_python(value)


class CountField(models.PositiveBigIntegerField):
    """A count of parameters or tokens; its form takes "235B" and "1M" too."""

    def formfield(self, **kwargs):
        return super().formfield(**{"form_class": CountFormField, **kwargs})


class PlaceField(models.PositiveIntegerField):
    """A place, 1 for first. Its form takes any whole number, so a place below 1
    gets the model's own message about places (``clean()``), not a generic one."""

    def formfield(self, **kwargs):
        return super().formfield(**{"min_value": None, **kwargs})

    @property
    def validators(self):
        # The database's range check stays; the rule and its message live in clean().
        return list(self._validators)


class NaturalKeyQuerySet(models.QuerySet):
    """Finds a row by its natural key: the values of the model's ``NATURAL_KEY``
    lookups, in order. An empty string stands for an unset optional relation (a
    result that names no benchmark version)."""

    def get_by_natural_key(self, *key):
        lookups = {}
        for path, value in zip(self.model.NATURAL_KEY, key, strict=True):
            relation = path.split("__")[0]
            if value == "" and relation != path and self.model._meta.get_field(relation).null:
                lookups[f"{relation}__isnull"] = True
            else:
                lookups[path] = value
        return self.get(**lookups)

    def conflicts_with(self, **replacement):
        """What breaks if a change is saved: for each of these rows that fails its own
        rules (``clean()``) once ``replacement``'s objects stand in for its related rows
        (a renamed model, a rescaled benchmark, a source's new text), a line saying
        which row and why."""
        related = [f.name for f in self.model._meta.concrete_fields if f.is_relation]
        found = []
        for row in self.select_related(*related):
            for name, value in replacement.items():
                setattr(row, name, value)
            try:
                row.clean()
            except ValidationError as error:
                found.append(f"{row}: {' '.join(error.messages)}")
        return found


def refuse_conflicts(field, conflicts, change):
    """Raise a form error on ``field`` when ``change`` would break rows that depend on
    it, naming the first few."""
    if conflicts:
        listed = "; ".join(conflicts[:CONFLICTS_LISTED])
        more = len(conflicts) - CONFLICTS_LISTED
        raise ValidationError(
            {
                field: f"{change} would break {len(conflicts)} row(s) that depend on it: "
                f"{listed.rstrip('.')}{f'; and {more} more' if more > 0 else ''}."
            }
        )


class NaturalKeyModel(models.Model):
    """A row known by its ``NATURAL_KEY``: field lookups such as ``("slug",)`` or
    ``("model__slug", "name")``."""

    NATURAL_KEY = ("slug",)

    # check_rules sets it False to judge each row alone, not through its dependents.
    dependents_checked = True

    objects = NaturalKeyQuerySet.as_manager()

    class Meta:
        abstract = True

    def stored(self, *fields):
        """The stored row's values of ``fields`` (attribute names), or {} for a row not
        yet saved."""
        if self.pk is None:
            return {}
        return type(self).objects.filter(pk=self.pk).values(*fields).first() or {}

    def dependents_at_stake(self, *fields):
        """Whether ``clean()`` must check this change against the rows that depend on
        the stored row: it changes one of ``fields``, the ones their rules read (a
        model's name, which its results' quotes must name). Other edits, and new rows,
        leave those rows as they are, so they are not read."""
        if self.pk is None or not self.dependents_checked:
            return False
        stored = self.stored(*fields)
        return any(stored.get(field) != getattr(self, field) for field in fields)

    def natural_key(self):
        return tuple(self.natural_key_part(path) for path in self.NATURAL_KEY)

    def natural_key_part(self, path):
        relation, _, attribute = path.partition("__")
        if not attribute:
            return getattr(self, relation)
        try:
            related = getattr(self, relation)
        except ObjectDoesNotExist:
            # A fixture naming a row the database lacks leaves the key unset: say which
            # key, instead of Django's bare "Result has no model."
            raise ValueError(
                f"this {self._meta.verbose_name} names a {relation} that is not in the "
                "database: check the slug, and that the fixture lists that row first"
            ) from None
        return "" if related is None else getattr(related, attribute)


def renamed_names(owner):
    """Ready a model's or benchmark's ``names`` for checking a change to it: read
    afresh, and, when the change renames it, still holding the old name, because
    ``leaderboard.rules.writes.save`` keeps that as an alias (quotes that use it still name
    the owner)."""
    owner.__dict__.pop("names", None)
    stored = owner.stored("name").get("name")
    if stored and stored != owner.name:
        owner.__dict__["names"] = [*owner.names, stored]


class Alias(NaturalKeyModel):
    """Another name for a model or a benchmark (its ``OWNER``): quotes may name the
    owner by it, so editing or deleting an alias that a result's quote relies on is
    refused."""

    OWNER = None
    name = LineField(max_length=300)

    class Meta:
        abstract = True
        ordering = ["name"]

    def __str__(self):
        return self.name

    def owner_conflicts(self, keep_self):
        """The owner's results that would no longer name it once this alias is saved
        (``keep_self``) or deleted."""
        owner = getattr(self, self.OWNER)
        owner.__dict__.pop("names", None)
        stored = self.stored("name").get("name")
        names = [name for name in owner.names if name != stored]
        owner.__dict__["names"] = names + [self.name] if keep_self else names
        try:
            return owner.results.conflicts_with(**{self.OWNER: owner})
        finally:
            owner.__dict__.pop("names", None)

    def clean(self):
        if getattr(self, f"{self.OWNER}_id") and self.dependents_at_stake("name"):
            refuse_conflicts("name", self.owner_conflicts(keep_self=True), "Renaming this alias")

    def deletion_conflicts(self):
        """What deleting this alias would break (see ``Alias``)."""
        return self.owner_conflicts(keep_self=False)
