"""Results as rows (CSV, XLSX, JSON): the one mapping that the admin's import and
export and ``import_results`` share.

A row names its model, benchmark, source and claimer by slug and its version by
name; together with the source, those are the result's natural key, so importing the
same file twice finds the same rows and changes nothing. Each row is checked by the
same rules as the admin's form (``full_clean``: the quote stands in its source and
states the row's figures, the claimer is the one it names, …); one refused row
rolls the whole import back. Rows are saved with ``save()`` (so history records each
one) and, once all are in, ``writes.loaded`` recomputes the touched models'
headlines and moves the data version on once.
"""

from decimal import Decimal, InvalidOperation

from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from import_export import fields, resources, widgets

from ..models import AIModel, Benchmark, BenchmarkVersion, Organization, Result, Source
from ..reading.exports import defuse
from ..reading.presentation import format_number
from ..rules import writes
from ..rules.quotes import MAX_SHOTS
from ..rules.text_rules import replace_control_characters

# Slugs looked up in one query at most this many at a time (SQLite's parameter limit).
LOOKUP_BATCH = 500


class SlugWidget(widgets.ForeignKeyWidget):
    """A related row named by its slug. ``prime`` looks up every slug a file names at
    once, so an import of 10,000 rows asks once, not once a row; a slug that names
    no row is refused with a sentence saying so."""

    def __init__(self, model, prefetch=()):
        super().__init__(model, field="slug")
        self.found = {}
        # What each row's rules read of it (a model's aliases: the names a quote may
        # use), fetched with it rather than once a row.
        self.prefetch = prefetch

    def prime(self, values):
        wanted = sorted({slug for slug in map(text, values) if slug} - self.found.keys())
        for start in range(0, len(wanted), LOOKUP_BATCH):
            batch = wanted[start : start + LOOKUP_BATCH]
            for row in self.model.objects.filter(slug__in=batch).prefetch_related(*self.prefetch):
                self.found[row.slug] = row
        for slug in wanted:
            self.found.setdefault(slug, None)

    def clean(self, value, row=None, **kwargs):
        slug = text(value)
        if not slug:
            return None
        if slug not in self.found:
            self.prime([slug])
        found = self.found[slug]
        if found is None:
            raise ValueError(f"No {self.model._meta.verbose_name} has the slug {slug!r}.")
        return found


class VersionWidget(widgets.ForeignKeyWidget):
    """A benchmark's version named by its name (the row's benchmark column says whose);
    empty for a result that names no version."""

    def __init__(self):
        super().__init__(BenchmarkVersion, field="name")
        self.found = {}

    def prime(self, benchmark_slugs):
        versions = BenchmarkVersion.objects.filter(
            benchmark__slug__in=sorted({s for s in map(text, benchmark_slugs) if s})
        ).select_related("benchmark")
        for version in versions:
            self.found[(version.benchmark.slug, version.name)] = version

    def clean(self, value, row=None, **kwargs):
        name = text(value)
        if not name:
            return None
        benchmark = text((row or {}).get("benchmark"))
        key = (benchmark, name)
        if key not in self.found:
            self.prime([benchmark])
        if key not in self.found:
            raise ValueError(f"The benchmark {benchmark!r} has no version named {name!r}.")
        return self.found[key]


# The largest figure a result stores (max_digits 15, decimal_places 6): below 10⁹.
_VALUE = Result._meta.get_field("value")
LARGEST_FIGURE = Decimal(10) ** (_VALUE.max_digits - _VALUE.decimal_places)
# The largest place the database holds.
MAX_PLACE = 2_147_483_647


class NumberWidget(widgets.DecimalWidget):
    """A figure: refused with a sentence when it is not a number a result can hold
    (NaN, infinity, 10⁹ or more); exported as people write it (37, not 37.000000)."""

    def clean(self, value, row=None, **kwargs):
        if isinstance(value, bool):
            raise ValueError(f"{value!r} is not a number.")
        try:
            number = super().clean(value, row, **kwargs)
        except (InvalidOperation, ValueError):
            raise ValueError(f"{value!r} is not a number.") from None
        if number is None:
            return None
        if not number.is_finite():
            raise ValueError(f"{value!r} is not a number a result can hold.")
        if abs(number) >= LARGEST_FIGURE:
            raise ValueError(
                f"{value!r} is too large: a result holds figures below {LARGEST_FIGURE:,}."
            )
        return number

    def render(self, value, obj=None, **kwargs):
        return format_number(value)


class WholeNumberWidget(widgets.IntegerWidget):
    """A whole number from ``minimum`` to ``maximum`` (shots, a place), refused with a
    sentence otherwise (1.5, true, "first"); empty for one the source does not give."""

    def __init__(self, what, minimum, maximum):
        super().__init__()
        self.what, self.minimum, self.maximum = what, minimum, maximum

    def clean(self, value, row=None, **kwargs):
        if self.is_empty(value):
            return None
        refusal = (
            f"{value!r} is not {self.what} (a whole number from {self.minimum} to {self.maximum})."
        )
        if isinstance(value, bool):
            raise ValueError(refusal)
        try:
            number = Decimal(text(value))
        except InvalidOperation:
            raise ValueError(refusal) from None
        # Checked before converting: a huge exponent makes int() slow.
        if not number.is_finite() or not self.minimum <= number <= self.maximum or number % 1:
            raise ValueError(refusal)
        return int(number)

    def render(self, value, obj=None, **kwargs):
        return "" if value is None else str(value)


class LineWidget(widgets.CharWidget):
    """One line of text; an empty cell is empty text (a setting not reported)."""

    def clean(self, value, row=None, **kwargs):
        return text(value)


class YesNoWidget(widgets.BooleanWidget):
    """True or false, written as true/false, yes/no or 1/0 (any case); empty is
    ``empty`` (false, or None for a setting not reported). Anything else is refused,
    not read as false ("maybe")."""

    WORDS = {"true": True, "yes": True, "1": True, "false": False, "no": False, "0": False}

    def __init__(self, empty=False):
        super().__init__()
        self.empty = empty

    def clean(self, value, row=None, **kwargs):
        if isinstance(value, bool):
            return value
        if isinstance(value, int | float) and value in (0, 1):
            return bool(value)
        if value is None or text(value) == "":
            return self.empty
        word = text(value).lower()
        if word not in self.WORDS:
            raise ValueError(f"{value!r} is neither true nor false (write 1 or 0).")
        return self.WORDS[word]


def text(value):
    """A cell as stripped text ("" for an empty one)."""
    return "" if value is None else str(value).strip()


class ResultResource(resources.ModelResource):
    model = fields.Field(
        attribute="model", column_name="model", widget=SlugWidget(AIModel, ["aliases"])
    )
    benchmark = fields.Field(
        attribute="benchmark",
        column_name="benchmark",
        widget=SlugWidget(Benchmark, ["aliases", "versions"]),
    )
    version = fields.Field(attribute="version", column_name="version", widget=VersionWidget())
    source = fields.Field(attribute="source", column_name="source", widget=SlugWidget(Source))
    claimed_by = fields.Field(
        attribute="claimed_by", column_name="claimed_by", widget=SlugWidget(Organization)
    )
    value = fields.Field(attribute="value", column_name="value", widget=NumberWidget())
    stderr = fields.Field(attribute="stderr", column_name="stderr", widget=NumberWidget())
    ci_low = fields.Field(attribute="ci_low", column_name="ci_low", widget=NumberWidget())
    ci_high = fields.Field(attribute="ci_high", column_name="ci_high", widget=NumberWidget())
    as_percentage = fields.Field(
        attribute="as_percentage", column_name="as_percentage", widget=YesNoWidget()
    )
    shots = fields.Field(
        attribute="shots",
        column_name="shots",
        widget=WholeNumberWidget("a number of shots", 0, MAX_SHOTS),
    )
    rank = fields.Field(
        attribute="rank", column_name="rank", widget=WholeNumberWidget("a place", 1, MAX_PLACE)
    )
    # How the figure was measured (leaderboard.rules.run_settings): a file may leave any of
    # these columns out, and an empty cell is a setting not reported.
    metric = fields.Field(attribute="metric", column_name="metric", widget=LineWidget())
    metric_variant = fields.Field(
        attribute="metric_variant", column_name="metric_variant", widget=LineWidget()
    )
    harness = fields.Field(attribute="harness", column_name="harness", widget=LineWidget())
    harness_version = fields.Field(
        attribute="harness_version", column_name="harness_version", widget=LineWidget()
    )
    model_revision = fields.Field(
        attribute="model_revision", column_name="model_revision", widget=LineWidget()
    )
    precision = fields.Field(attribute="precision", column_name="precision", widget=LineWidget())
    chat_template = fields.Field(
        attribute="chat_template", column_name="chat_template", widget=YesNoWidget(empty=None)
    )
    subset = fields.Field(attribute="subset", column_name="subset", widget=YesNoWidget(empty=None))
    reported_on = fields.Field(
        attribute="reported_on", column_name="reported_on", widget=widgets.DateWidget("%Y-%m-%d")
    )

    class Meta:
        model = Result
        fields = (
            "model",
            "benchmark",
            "version",
            "source",
            "value",
            "stderr",
            "ci_low",
            "ci_high",
            "as_percentage",
            "shots",
            "metric",
            "metric_variant",
            "harness",
            "harness_version",
            "model_revision",
            "precision",
            "chat_template",
            "subset",
            "rank",
            "provenance",
            "claimed_by",
            "reported_on",
            "quote",
        )
        export_order = fields
        import_id_fields = ("model", "benchmark", "version", "source")
        skip_unchanged = True
        # The preview lists each row's outcome and reason, not an HTML diff.
        skip_html_diff = True
        report_skipped = True
        clean_model_instances = True
        use_transactions = True

    RELATED = ("model", "benchmark", "source", "claimed_by")

    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        self.touched_models = set()
        self.touched_benchmarks = set()
        self.existing = {}
        self.repeats = {}

    def before_import(self, dataset, **kwargs):
        """Look up, in a few queries, every row the file names and every result it
        may replace; note rows that repeat an earlier row's result."""
        self.repeats = {}
        if dataset.headers:
            first = {}
            key_columns = [
                c for c in ("model", "benchmark", "version", "source") if c in dataset.headers
            ]
            for number, row in enumerate(dataset.dict, 1):
                key = tuple(text(row.get(column)) for column in key_columns)
                if key in first:
                    self.repeats[number] = first[key]
                first.setdefault(key, number)
        if dataset.headers and "version" not in dataset.headers:
            # A file whose results name no version may leave the column out.
            dataset.append_col([""] * len(dataset), header="version")
        headers = set(dataset.headers or ())
        for name in self.RELATED:
            if name in headers:
                self.fields[name].widget.prime(dataset[name])
        if "benchmark" in headers:
            self.fields["version"].widget.prime(dataset["benchmark"])
            model_ids = {m.pk for m in self.fields["model"].widget.found.values() if m}
            benchmark_ids = {b.pk for b in self.fields["benchmark"].widget.found.values() if b}
            for result in Result.objects.filter(
                model_id__in=model_ids, benchmark_id__in=benchmark_ids
            ):
                self.existing[self.key_of(result)] = result

    def import_instance(self, instance, row, **kwargs):
        super().import_instance(instance, row, **kwargs)
        earlier = self.repeats.get(kwargs.get("row_number"))
        if earlier is not None:
            raise ValidationError(
                {
                    NON_FIELD_ERRORS: f"It repeats row {earlier}'s result (the same model, "
                    "benchmark, version and source): keep one."
                }
            )

    def validate_instance(self, instance, import_validation_errors=None, validate_unique=True):
        """The row's rules, as the admin's form checks them (``full_clean``), but
        without asking the database a query per check constraint per row (7 of 10 ms
        a row): ``Result.clean()`` mirrors every one of them, the natural key keeps a
        file from adding a second result for the same thing, and the database still
        enforces them all when the row is written."""
        errors = dict(import_validation_errors or {})
        try:
            instance.full_clean(
                exclude=errors.keys(), validate_unique=validate_unique, validate_constraints=False
            )
        except ValidationError as error:
            errors = error.update_error_dict(errors)
        if errors:
            raise ValidationError(errors)

    @staticmethod
    def key_of(result):
        return (result.model_id, result.benchmark_id, result.version_id, result.source_id)

    def get_instance(self, instance_loader, row):
        """The stored result this row is about (by its natural key), or None for a new
        one; a row whose key does not resolve is new, and its fields say why not."""
        try:
            key = tuple(
                getattr(self.fields[name].widget.clean(row.get(name), row=row), "pk", None)
                for name in ("model", "benchmark", "version", "source")
            )
        except ValueError:
            return None
        return self.existing.get(key)

    def do_instance_save(self, instance, is_create):
        # Derived: recomputed for every touched model once all rows are in.
        instance.is_headline = False
        instance.save(force_insert=is_create)
        self.existing[self.key_of(instance)] = instance
        self.touched_models.add(instance.model_id)
        self.touched_benchmarks.add(instance.benchmark_id)

    def before_import_row(self, row, **kwargs):
        """A quote the export defused (``'=…``) reads back as its source wrote it."""
        quote = row.get("quote")
        if isinstance(quote, str) and quote.startswith("'") and defuse(quote[1:]) == quote:
            row["quote"] = quote[1:]

    def export_field(self, field, instance, **kwargs):
        """A cell a spreadsheet would run as a formula is defused, as the site's own
        export does (``exports.defuse``); the import reads it back. A control character
        stored before the text rules (which an XLSX cannot hold) goes out as U+FFFD."""
        cell = super().export_field(field, instance, **kwargs)
        return defuse(replace_control_characters(cell))

    def after_import(self, dataset, result, **kwargs):
        if self.touched_models and not kwargs.get("dry_run"):
            writes.loaded(model_ids=self.touched_models, benchmark_ids=self.touched_benchmarks)
