"""Results: a model's value or place on a benchmark, as one source states it."""

from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Exists, F, OuterRef, Q, Subquery, Value, Window
from django.db.models.functions import Coalesce, FirstValue
from simple_history.models import HistoricalRecords

from ..reading.presentation import figure_text, format_number, shown_figures, uncertainty_text
from ..rules import run_settings
from ..rules.quotes import (
    PLACE,
    VALUE,
    any_is,
    attribution_in,
    mentions,
    quote_anchor,
    ranks_in,
    states,
    tied_figures,
)
from .base import LineField, NaturalKeyQuerySet, PlaceField
from .benchmarks import Benchmark, BenchmarkVersion, ResultKind
from .catalogue import AIModel, Organization
from .citations import Citation

# A 95% interval spans this many standard errors each side of the value.
Z_95 = Decimal("1.96")


def interval_of(value, stderr, ci_low, ci_high):
    """The range a value may lie in: its confidence interval, else value ± 1.96
    standard errors (a 95% interval), else None (only the value itself)."""
    if ci_low is not None and ci_high is not None:
        return ci_low, ci_high
    if stderr is not None and value is not None:
        return value - stderr * Z_95, value + stderr * Z_95
    return None


class Provenance(models.TextChoices):
    INDEPENDENT = "independent", "Independently measured"
    VENDOR_CLAIM = "vendor_claim", "Vendor's claim"


def with_measurements(claims):
    """``claims`` (from ``beside_measurements``) as a list, each with its
    ``measurement`` (the Result, with its source) fetched in one query."""
    claims = list(claims)
    measured = Result.objects.select_related("source").in_bulk(c.measured_pk for c in claims)
    for claim in claims:
        claim.measurement = measured[claim.measured_pk]
        # Exactly, in Decimal: SQLite computes the annotated gap in floating point
        # (-0.0852419999999938 for 82 - 82.085242); SQL keeps it only for ordering.
        claim.gap = claim.value - claim.measurement.value
    return claims


class ResultQuerySet(NaturalKeyQuerySet):
    # The documented rule for which result a page shows when several sources report
    # one for the same model, benchmark and version: one measured as the benchmark
    # ranks before one measured differently, independent measurements before vendors'
    # claims, then the newest report, then the most recently entered.
    PREFERENCE = (
        F("is_comparable").desc(),  # measured as the benchmark ranks, first
        F("provenance").asc(),  # "independent" sorts before "vendor_claim"
        F("reported_on").desc(nulls_last=True),
        F("pk").desc(),
    )

    def preferred_first(self):
        """Results ordered by the preference rule (see ``PREFERENCE``)."""
        return self.order_by(*self.PREFERENCE)

    def with_submission(self):
        """Each result annotated with ``submission_pk``: the accepted submission it came
        from (sent by anyone, reviewed by an editor), or None."""
        from .submissions import Submission  # it refers to results

        # The result itself, or the source a submitted results file became.
        accepted = Submission.objects.filter(
            Q(result=OuterRef("pk")) | Q(source=OuterRef("source")),
            status=Submission.Status.ACCEPTED,
        ).values("pk")[:1]
        return self.annotate(submission_pk=Subquery(accepted))

    def headline(self):
        """One result per model, benchmark and version: the one the rule prefers (kept
        in ``is_headline`` by ``mark_headlines``)."""
        return self.filter(is_headline=True)

    def beside_measurements(self):
        """The vendors' claims among these results (those with a value) that an
        independent measurement of the same model, benchmark and version, measured
        alike (``run_settings.alike_keys``: a 5-shot claim is not answered by a 0-shot
        run), answers, each annotated with that measurement (the preferred one:
        ``measured``, ``measured_stderr``, ``measured_pk``) and the ``gap`` (claimed
        minus measured)."""
        alike = run_settings.alike_keys()
        measurements = (
            Result.objects.filter(
                model=OuterRef("model"),
                benchmark=OuterRef("benchmark"),
                provenance=Provenance.INDEPENDENT,
                value__isnull=False,
            )
            # Versions compared null-safely: no version matches no version.
            .annotate(version_key=Coalesce("version_id", Value(0)), **alike)
            .filter(version_key=OuterRef("version_key"))
            .filter(**{key: OuterRef(key) for key in alike})
            .order_by(*self.PREFERENCE)
        )
        # Any independent figure for the same model and benchmark, asked first: an
        # index lookup that rules out most claims (most are never measured) before
        # the subqueries that find the alike measurement.
        measured_at_all = Result.objects.filter(
            model=OuterRef("model"),
            benchmark=OuterRef("benchmark"),
            provenance=Provenance.INDEPENDENT,
            value__isnull=False,
        )
        # A claim beside a measurement of the same model, benchmark and version shares
        # its group with it, and only one of a group is its headline: the claim's model
        # is among those with a result that is not one (few: ``result_beside_idx``).
        # Asked first, from that side, so a benchmark's thousands of claims that
        # nothing measured are never each looked at.
        beside_another = Result.objects.filter(is_headline=False).values("model_id")
        # In a subquery of its own, so that PostgreSQL too asks it before the
        # subqueries below (it evaluated those first, for every claim of a benchmark).
        candidates = self.filter(
            Exists(measured_at_all),
            model_id__in=beside_another,
            provenance=Provenance.VENDOR_CLAIM,
            value__isnull=False,
        )
        return (
            self.filter(pk__in=candidates.order_by().values("pk"))
            .annotate(version_key=Coalesce("version_id", Value(0)), **alike)
            .annotate(
                measured=Subquery(measurements.values("value")[:1]),
                measured_stderr=Subquery(measurements.values("stderr")[:1]),
                measured_pk=Subquery(measurements.values("pk")[:1]),
            )
            .filter(measured__isnull=False)
            .annotate(gap=F("value") - F("measured"))
        )

    def mark_headlines(self):
        """Mark, within these results, each model, benchmark and version's preferred
        result as its headline, and unmark the others. Call it on whole groups (results
        filtered by model, benchmark or both). Two updates, unmarking first, so the
        one-headline-per-group indexes hold after each statement; updates send no
        signals and write no history rows."""
        preferred = (
            self.annotate(
                preferred_pk=Window(
                    FirstValue("pk"),
                    partition_by=[F("model_id"), F("benchmark_id"), F("version_id")],
                    order_by=list(self.PREFERENCE),
                )
            )
            .filter(pk=F("preferred_pk"))
            .values("pk")
        )
        self.filter(is_headline=True).exclude(pk__in=preferred).update(is_headline=False)
        self.filter(is_headline=False, pk__in=preferred).update(is_headline=True)


class Result(Citation):
    """A model's result on a benchmark as one source states it: a value, a rank, or both."""

    NATURAL_KEY = ("model__slug", "benchmark__slug", "version__name", "source__slug")

    model = models.ForeignKey(AIModel, on_delete=models.PROTECT, related_name="results")
    benchmark = models.ForeignKey(Benchmark, on_delete=models.PROTECT, related_name="results")
    version = models.ForeignKey(
        BenchmarkVersion,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="results",
        help_text="Leave empty when the source names no version.",
    )
    value = models.DecimalField(max_digits=15, decimal_places=6, null=True, blank=True)
    stderr = models.DecimalField(
        "standard error",
        max_digits=15,
        decimal_places=6,
        null=True,
        blank=True,
        help_text="The value's standard error, where the source states it.",
    )
    ci_low = models.DecimalField(
        "confidence interval from",
        max_digits=15,
        decimal_places=6,
        null=True,
        blank=True,
        help_text="The lower end of the value's confidence interval, as the source states it.",
    )
    ci_high = models.DecimalField(
        "confidence interval to", max_digits=15, decimal_places=6, null=True, blank=True
    )
    as_percentage = models.BooleanField(
        "fraction stored as a percentage",
        default=False,
        help_text="The source states fractions (0.6561) and the benchmark is in percent: "
        "the figures are stored times 100 (65.61).",
    )
    shots = models.PositiveSmallIntegerField(
        "shots (n-shot)",
        null=True,
        blank=True,
        help_text="How many solved examples the prompt held (“5-shot”; 0 for zero-shot), "
        "as the source states it: its quote, or the n-shot of an evaluation harness's "
        "results file. Results measured with different numbers are not comparable. "
        "Leave empty when the source does not say.",
    )
    # How the figure was measured (leaderboard.rules.run_settings): each as the source states
    # it, empty where it does not (not reported).
    metric = LineField(
        max_length=100,
        blank=True,
        help_text="The metric the figure is, as the source names it: acc_norm, "
        "exact_match, pass@1.",
    )
    metric_variant = LineField(
        "metric variant or filter",
        max_length=100,
        blank=True,
        help_text="The metric's variant, such as the evaluation harness's filter "
        "(strict-match, flexible-extract; none).",
    )
    harness = LineField(
        "evaluation harness", max_length=100, blank=True, help_text="lm-evaluation-harness"
    )
    harness_version = LineField(
        "harness version or commit",
        max_length=100,
        blank=True,
        help_text="As the source gives it: 0.4.3, or a commit.",
    )
    model_revision = LineField(
        max_length=100, blank=True, help_text="The model's revision (commit or branch) run."
    )
    precision = LineField(
        max_length=50, blank=True, help_text="The precision the model ran in: bfloat16, float16."
    )
    chat_template = models.BooleanField(
        "chat template applied",
        null=True,
        blank=True,
        help_text="Whether the prompts went through the model's chat template.",
    )
    subset = models.BooleanField(
        "ran on a subset",
        null=True,
        blank=True,
        help_text="Whether the run covered only part of the task (a limit on examples). "
        "Subset runs are never ranked with full runs.",
    )
    rank = PlaceField(null=True, blank=True, help_text="The place the source gives, 1 for first.")
    reported_on = models.DateField(null=True, blank=True)
    claimed_by = models.ForeignKey(
        Organization,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="claimed_results",
        help_text="Whose claim this is: an organization the quote or its source names "
        "(“NVIDIA claims …”). Leave empty for an independent measurement.",
    )
    provenance = models.CharField(
        max_length=16,
        choices=Provenance,
        help_text="Independently measured (the source ran the test) or a vendor's claim "
        "(the source reports what someone says of their own model); pick one.",
    )
    is_comparable = models.BooleanField(
        default=True,
        editable=False,
        # Derived, as is_headline: leaderboard.rules.writes recomputes it.
        help_text="Measured as its benchmark ranks (leaderboard.rules.run_settings): only such "
        "results get places.",
    )
    is_headline = models.BooleanField(
        default=False,
        editable=False,
        # Derived: loaddata ignores it and leaderboard.rules.writes recomputes it.
        help_text="The result pages show for this model, benchmark and version (kept "
        "by leaderboard.rules.writes on every write; see ResultQuerySet.PREFERENCE).",
    )
    quote_anchor = models.CharField(
        max_length=14,
        blank=True,
        editable=False,
        # Derived from the quote on every save, as Source's kept_text_sha256 from its
        # text; loads and restores derive it again (rules.writes.loaded).
        help_text="The mark of the quote's passage on its source's page "
        "(rules.quotes.quote_anchor of the quote), kept for the exports.",
    )

    objects = ResultQuerySet.as_manager()
    history = HistoricalRecords()

    class Meta(Citation.Meta):
        ordering = ["benchmark", "model"]
        constraints = [
            *Citation.Meta.constraints,
            models.CheckConstraint(
                condition=Q(value__isnull=False) | Q(rank__isnull=False),
                name="result_has_value_or_rank",
                violation_error_message="Give a value, a rank, or both.",
            ),
            models.CheckConstraint(
                condition=Q(stderr__isnull=True) | Q(value__isnull=False, stderr__gte=0),
                name="result_stderr_of_a_value",
                violation_error_message="A standard error belongs to a value, and is not "
                "negative.",
            ),
            models.CheckConstraint(
                condition=Q(ci_low__isnull=True, ci_high__isnull=True)
                | Q(
                    value__isnull=False,
                    ci_low__isnull=False,
                    ci_high__isnull=False,
                    ci_low__lte=F("value"),
                    ci_high__gte=F("value"),
                ),
                name="result_interval_around_its_value",
                violation_error_message="A confidence interval has both ends and holds its value.",
            ),
            models.CheckConstraint(
                condition=Q(rank__isnull=True) | Q(rank__gte=1),
                name="result_rank_at_least_one",
                violation_error_message="A rank starts at 1 (first place).",
            ),
            # Two partial constraints rather than one: NULL versions never collide
            # in a plain unique index, on SQLite or PostgreSQL.
            models.UniqueConstraint(
                fields=["model", "benchmark", "version", "source"],
                condition=Q(version__isnull=False),
                name="one_result_per_model_benchmark_version_source",
                violation_error_message="This source already has a result for this model, "
                "benchmark and version.",
            ),
            models.UniqueConstraint(
                fields=["model", "benchmark", "version"],
                condition=Q(is_headline=True, version__isnull=False),
                name="one_headline_result_per_model_benchmark_version",
            ),
            models.UniqueConstraint(
                fields=["model", "benchmark"],
                condition=Q(is_headline=True, version__isnull=True),
                name="one_headline_unversioned_result_per_model_benchmark",
            ),
            models.UniqueConstraint(
                fields=["model", "benchmark", "source"],
                condition=Q(version__isnull=True),
                name="one_unversioned_result_per_model_benchmark_source",
                violation_error_message="This source already has a result for this model "
                "and benchmark.",
            ),
        ]
        indexes = [
            models.Index(fields=["benchmark", "value"], name="result_benchmark_value_idx"),
            # The partial unique indexes above cannot serve lookups that ignore version.
            models.Index(fields=["model", "benchmark"], name="result_model_benchmark_idx"),
            # Ranked results by value: rankings, charts and places (leaderboard.rules.ranking).
            models.Index(
                fields=["benchmark", "version", "value"],
                condition=Q(is_headline=True, is_comparable=True),
                name="ranked_benchmark_value_idx",
            ),
            # Ranked results with an uncertainty: whether a benchmark has any decides
            # whether places allow for ties (``Ranking.best_places``); without it the
            # question read every ranked result of a benchmark that has none.
            models.Index(
                fields=["benchmark", "version"],
                condition=Q(is_headline=True, is_comparable=True)
                & (Q(stderr__isnull=False) | Q(ci_low__isnull=False)),
                name="ranked_uncertain_idx",
            ),
            # Headline results measured otherwise than their benchmark ranks, shown
            # apart (``Ranking.measured_differently``): few, found without reading
            # the ranked ones.
            models.Index(
                fields=["benchmark", "version"],
                condition=Q(is_headline=True, is_comparable=False),
                name="headline_differently_idx",
            ),
            # Vendors' claims on a benchmark, to set beside measurements
            # (``beside_measurements``: a benchmark's largest gaps): found without
            # reading the benchmark's measurements, most of its results.
            models.Index(
                fields=["benchmark", "version"],
                condition=Q(provenance=Provenance.VENDOR_CLAIM),
                name="result_claims_idx",
            ),
            # Results that are not their group's headline: only groups of more than
            # one result have any, so a claim beside a measurement is found from here
            # (``beside_measurements``) rather than among every claim of a benchmark.
            models.Index(
                fields=["benchmark", "model"],
                condition=Q(is_headline=False),
                name="result_beside_idx",
            ),
            # Ranked results that give a place alone, by place: leaderboard.rules.ranking.
            models.Index(
                fields=["benchmark", "version", "rank"],
                condition=Q(is_headline=True, is_comparable=True, value__isnull=True),
                name="ranked_place_alone_idx",
            ),
        ]

    def save(self, *args, **kwargs):
        self.quote_anchor = quote_anchor(self.quote)
        super().save(*args, **kwargs)

    def __str__(self):
        # The stored figure: the admin's messages and history name a result by it.
        return f"{self.model} · {self.benchmark}: {figure_text(self.value, self.rank)}"

    @property
    def display_value(self):
        """The value as pages show it, rounded to what its uncertainty supports
        (``presentation.shown_figures``; as stored where it has none), else the place
        ("#1"). Exports and ``__str__`` write the stored figure (``figure_text``)."""
        if self.value is None:
            return figure_text(self.value, self.rank)
        return shown_figures(self.value, self.stderr, self.ci_low, self.ci_high)[0]

    @property
    def display_uncertainty(self):
        """The value's uncertainty as pages show it, rounded as the value is
        (``presentation.shown_figures``): "± 0.38", "[81.34, 82.83]"; "" for none."""
        return shown_figures(self.value, self.stderr, self.ci_low, self.ci_high)[1]

    @property
    def stored_figures(self):
        """The figure and uncertainty as stored ("82.085242 ± 0.382692"), where a
        page shows them rounded; "" where it shows them as stored."""
        stored = " ".join(
            text
            for text in (
                figure_text(self.value, self.rank),
                uncertainty_text(self.stderr, self.ci_low, self.ci_high),
            )
            if text
        )
        shown = " ".join(text for text in (self.display_value, self.display_uncertainty) if text)
        return "" if stored == shown else stored

    def interval(self):
        """The range the value may lie in (see ``interval_of``)."""
        return interval_of(self.value, self.stderr, self.ci_low, self.ci_high)

    @property
    def display_gap(self):
        """A claim's difference from its measurement (``beside_measurements``), signed:
        "+1.8", "-0.4", "0", rounded as the measurement is shown (to what its
        standard error supports: ``shown_figures``)."""
        gap = getattr(self, "gap", None)
        if gap is None:
            return ""
        shown = shown_figures(gap, getattr(self, "measured_stderr", None), None, None)[0]
        # A gap that rounds to zero ("0.00") takes no sign.
        return ("+" if Decimal(shown) > 0 else "") + shown

    @property
    def is_vendor_claim(self):
        return self.provenance == Provenance.VENDOR_CLAIM

    def clean(self):
        errors = {}
        try:
            super().clean()
        except ValidationError as error:
            errors = error.update_error_dict(errors)
        if self.value is None and self.rank is None:
            errors.setdefault("value", []).append("Give a value, a rank, or both.")
        if self.rank is not None and self.rank < 1:
            errors.setdefault("rank", []).append("A rank starts at 1 (first place).")
        if self.benchmark_id:
            benchmark = self.benchmark
            if self.version_id and self.version.benchmark_id != benchmark.pk:
                errors.setdefault("version", []).append(
                    f"{self.version} is not a version of {benchmark}."
                )
            if self.value is not None:
                if benchmark.result_kind == ResultKind.RANK:
                    errors.setdefault("value", []).append(
                        f"{benchmark} gives ranks only: leave the value empty."
                    )
                if benchmark.scale_min is not None and self.value < benchmark.scale_min:
                    errors.setdefault("value", []).append(
                        f"Below {benchmark}'s scale, which starts at "
                        f"{format_number(benchmark.scale_min)}."
                    )
                if benchmark.scale_max is not None and self.value > benchmark.scale_max:
                    errors.setdefault("value", []).append(
                        f"Above {benchmark}'s scale, which ends at "
                        f"{format_number(benchmark.scale_max)}."
                    )
        if self.value is None and (
            self.stderr is not None or self.ci_low is not None or self.ci_high is not None
        ):
            errors.setdefault("value", []).append(
                "A standard error or confidence interval belongs to a value: give the value."
            )
        if self.stderr is not None and self.stderr < 0:
            errors.setdefault("stderr", []).append("A standard error is not negative.")
        if (self.ci_low is None) != (self.ci_high is None):
            errors.setdefault("ci_high", []).append("Give both ends of the interval, or neither.")
        elif (
            self.ci_low is not None
            and self.value is not None
            and not (self.ci_low <= self.value <= self.ci_high)
        ):
            errors.setdefault("ci_low", []).append(
                f"The interval {format_number(self.ci_low)} to {format_number(self.ci_high)} "
                f"does not hold the value {format_number(self.value)}."
            )
        if self.provenance == Provenance.VENDOR_CLAIM and not self.claimed_by_id:
            errors.setdefault("claimed_by", []).append("Name the vendor whose claim this is.")
        for field, message in self.attribution_errors().items():
            errors.setdefault(field, []).append(message)
        for field, message in self.setting_errors().items():
            errors.setdefault(field, []).append(message)
        if errors:
            raise ValidationError(errors)

    def setting_errors(self):
        """Each setting the result records must be one its source states
        (``run_settings.setting_errors``): its quote, or the evaluation harness's
        results file kept as the source's text, for a task that is one of the
        benchmark's names."""
        if not self.source_id or not self.benchmark_id:
            return {}
        return run_settings.setting_errors(self, self.source.raw_text, self.benchmark.names)

    @property
    def measured_as(self):
        """Every setting the result records, in a line (``run_settings.description``)."""
        return run_settings.description(self)

    @property
    def differences(self):
        """What keeps this result out of its benchmark's ranking ("0-shot, not
        10-shot"); empty when it is comparable (``run_settings.differences``)."""
        return run_settings.differences(self, self.benchmark)

    def attribution_errors(self):
        """Errors where the quote is not about this row: it must name the model and
        the benchmark (unless the source as a whole is about that one model or
        benchmark), an independent measurement must not be attributed to someone,
        and a vendor's claim names a claimer that the quote or the source names."""
        errors = {}
        if not self.quote.strip():
            return errors
        source = self.source if self.source_id else None
        model_is_the_subject = source is not None and source.about_model_id == self.model_id
        benchmark_is_the_subject = (
            source is not None and source.about_benchmark_id == self.benchmark_id
        )
        if (
            self.model_id
            and not model_is_the_subject
            and not mentions(self.quote, self.model.names)
        ):
            errors["quote"] = (
                f"The quote does not name {self.model} (or one of its aliases): quote "
                "the words that say whose result this is."
            )
        if (
            self.benchmark_id
            and not benchmark_is_the_subject
            and not mentions(self.quote, self.benchmark.names)
        ):
            errors.setdefault(
                "quote",
                f"The quote does not name {self.benchmark} (or one of its aliases): "
                "quote the words that say which benchmark this is.",
            )
        word = attribution_in(self.quote)
        if self.provenance == Provenance.INDEPENDENT and word:
            errors["provenance"] = (
                f"The quote attributes this result to someone (“{word}”): record it as "
                "that vendor's claim, not as independently measured."
            )
        if self.provenance == Provenance.VENDOR_CLAIM and self.claimed_by_id:
            claimer = self.claimed_by
            named_in = [
                self.quote,
                source.text if source else "",
                source.publisher if source else "",
            ]
            if not any(mentions(text, [claimer.name]) for text in named_in if text):
                errors["claimed_by"] = (
                    f"Neither the quote nor its source names {claimer}: the claimer must "
                    "be the one they name."
                )
        return errors

    def figure_errors(self):
        """The value must be a number the quote states and ties to this model (the
        figure nearest its name); the rank must be a place the quote states ("first",
        "#1", "ranked 1"), tied the same way."""
        errors = {}
        names = self.model.names if self.model_id else []
        ignore = self.benchmark.names if self.benchmark_id else []
        percent = self.as_percentage
        if self.value is not None:
            tied = tied_figures(self.quote, names, VALUE, ignore)
            if not states(self.quote, self.value, percent):
                errors["value"] = f"The quote does not state {self.stated(self.value)}."
            elif tied is not None and not any_is(tied, self.value, percent):
                errors["value"] = (
                    f"The quote ties {_listed(tied)} to {self.model}, not "
                    f"{self.stated(self.value)}: is this another model's figure?"
                )
        for field in ("stderr", "ci_low", "ci_high"):
            figure = getattr(self, field)
            if figure is not None and not states(self.quote, figure, percent):
                label = self._meta.get_field(field).verbose_name
                errors[field] = f"The quote does not state the {label}, {self.stated(figure)}."
        if self.rank is not None:
            tied = tied_figures(self.quote, names, PLACE, ignore)
            if self.rank not in ranks_in(self.quote):
                errors["rank"] = (
                    f"The quote does not state place {self.rank} (as “first”, “1st”, "
                    "“#1” or “ranked 1”)."
                )
            elif tied is not None and self.rank not in tied:
                errors["rank"] = (
                    f"The quote ties place {_listed(tied)} to {self.model}, not {self.rank}."
                )
        return errors

    def stated(self, figure):
        """A stored figure as the quote would state it: 65.61 stored from a fraction
        reads "0.6561 (65.61 as a percentage)"."""
        if not self.as_percentage:
            return format_number(figure)
        return f"{format_number(figure / 100)} ({format_number(figure)} as a percentage)"


def _listed(numbers):
    return " and ".join(sorted(format_number(n) for n in numbers)) or "no figure"
